"""Swagger UI's JavaScript and CSS, served from the swagger-ui-bundle
package (no CDN needed)."""
import swagger_ui_bundle
from flask import Blueprint, send_from_directory

blp = Blueprint("swagger_assets", __name__)


@blp.route("/swagger-ui-assets/<path:filename>")
def asset(filename):
    """One file of the Swagger UI distribution."""
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)
