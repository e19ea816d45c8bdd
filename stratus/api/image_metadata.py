"""/v2.1/images/{id}/metadata: an image's metadata through the compute
API (Nova's image-metadata proxy, gone from microversion 2.39): the
image's extra properties, kept by the conductor."""
from flask.views import MethodView
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import BadRequest, NotFound

from stratus.api import image_api
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.common import exception

blp = Blueprint("image_metadata", __name__, url_prefix="/v2.1",
                description="Image metadata through the compute API (until 2.38)")

# Nova's image metadata quota (metadata_items).
MAX_ITEMS = 128


def _metadata(**kwargs):
    return fields.Dict(keys=fields.String(validate=validate.Length(1, 255)),
                       values=fields.String(validate=validate.Length(max=255)), **kwargs)


class ImageMetadataBody(Schema):
    metadata = _metadata(required=True)


class ImageMetaBody(Schema):
    meta = _metadata(required=True, validate=validate.Length(1, 1))


MetadataResponse = Schema.from_dict({"metadata": fields.Dict()}, name="ImageMetadataResponse")
MetaResponse = Schema.from_dict({"meta": fields.Dict()}, name="ImageMetaResponse")


def _available():
    if is_supported("2.39"):
        raise NotFound("The image metadata proxy API is not available from microversion 2.39.")


def _save(image_id, metadata, replace):
    """Merge (or replace) and save; Nova's 403 past the metadata quota."""
    ctxt = get_context()
    image = image_api.get(ctxt, image_id)
    merged = dict(metadata) if replace else dict(image.properties, **metadata)
    if len(merged) > MAX_ITEMS:
        raise exception.OverQuota(overs="metadata_items")
    return image_api.set_properties(ctxt, image.id, metadata, replace).properties


@blp.route("/images/<image_id>/metadata")
class ImageMetadata(MethodView):
    """All of an image's metadata."""

    @blp.response(200, MetadataResponse)
    def get(self, image_id):
        """List the metadata."""
        _available()
        return {"metadata": dict(image_api.get(get_context(), image_id).properties)}

    @blp.arguments(ImageMetadataBody)
    @blp.response(200, MetadataResponse)
    def post(self, body, image_id):
        """Add or change items; the other items stay."""
        _available()
        return {"metadata": _save(image_id, body["metadata"], replace=False)}

    @blp.arguments(ImageMetadataBody)
    @blp.response(200, MetadataResponse)
    def put(self, body, image_id):
        """Replace all the metadata."""
        _available()
        return {"metadata": _save(image_id, body["metadata"], replace=True)}


@blp.route("/images/<image_id>/metadata/<key>")
class ImageMetadataItem(MethodView):
    """One metadata item."""

    @blp.response(200, MetaResponse)
    def get(self, image_id, key):
        """Show one item (404 if the image lacks it)."""
        _available()
        properties = image_api.get(get_context(), image_id).properties
        if key not in properties:
            raise NotFound("Image not found.")
        return {"meta": {key: properties[key]}}

    @blp.arguments(ImageMetaBody)
    @blp.response(200, MetaResponse)
    def put(self, body, image_id, key):
        """Set one item; the body's key must be the URL's."""
        _available()
        if key not in body["meta"]:
            raise BadRequest("Request body and URI mismatch")
        _save(image_id, body["meta"], replace=False)
        return {"meta": body["meta"]}

    @blp.response(204)
    def delete(self, image_id, key):
        """Delete one item (404 if the image lacks it)."""
        _available()
        ctxt = get_context()
        image = image_api.get(ctxt, image_id)
        if key not in image.properties:
            raise NotFound("Invalid metadata key")
        properties = {k: v for k, v in image.properties.items() if k != key}
        image_api.set_properties(ctxt, image.id, properties, replace=True)
