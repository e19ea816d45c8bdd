"""POST /v2.1/servers/{id}/remote-consoles (2.6+): a URL for the server's
console in a browser. Only VNC through noVNC is offered; the other
protocols and types Nova knows are refused with Nova's 400s."""
from flask.views import MethodView
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import NotFound

from stratus.api import compute_api, consoles
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context

blp = Blueprint("remote_consoles", __name__, url_prefix="/v2.1",
                description="Remote consoles")

# Nova's schema: every protocol and type it has known is valid input.
PROTOCOLS = ("vnc", "spice", "serial", "rdp", "mks")
TYPES = ("novnc", "xvpvnc", "spice-html5", "serial", "rdp-html5", "webmks")


class RemoteConsoleSpec(Schema):
    protocol = fields.String(required=True, validate=validate.OneOf(PROTOCOLS))
    type = fields.String(required=True, validate=validate.OneOf(TYPES))


class RemoteConsoleBody(Schema):
    remote_console = fields.Nested(RemoteConsoleSpec, required=True)


RemoteConsoleResponse = Schema.from_dict(
    {"remote_console": fields.Dict()}, name="RemoteConsoleResponse")


@blp.route("/servers/<server_id>/remote-consoles")
class RemoteConsoles(MethodView):
    """A server's remote console."""

    @blp.arguments(RemoteConsoleBody)
    @blp.response(200, RemoteConsoleResponse)
    def post(self, body, server_id):
        """Get a console URL: `{"remote_console": {"protocol": "vnc", "type": "novnc"}}`."""
        if not is_supported("2.6"):
            raise NotFound()
        protocol, console_type = body["remote_console"]["protocol"], body["remote_console"]["type"]
        ctxt = get_context()
        instance = compute_api.get(ctxt, server_id)
        url = consoles.get_console(ctxt, instance, protocol, console_type)
        return {"remote_console": {"protocol": protocol, "type": console_type, "url": url}}
