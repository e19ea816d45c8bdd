"""Nova's image proxy, `/v2.1/images` (gone from microversion 2.36; its
metadata routes from 2.39): list, show and delete images, and their
metadata (Glance's extra properties), through the same rules as the
image API (stratus.api.image_api)."""
from flask.views import MethodView
from marshmallow import fields
from werkzeug.exceptions import BadRequest, NotFound

from stratus.api import common, image_api
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.common import PagingQuery
from stratus.api.schemas.responses import NovaImageResponse, NovaImagesResponse
from stratus.common.timeutils import parse_isotime

blp = Blueprint("nova-images", __name__, url_prefix="/v2.1",
                description="Images through the compute API (deprecated in 2.36)")

_STATUS = {"active": "ACTIVE", "queued": "SAVING", "saving": "SAVING",
           "importing": "SAVING", "deleted": "DELETED", "pending_delete": "DELETED",
           "killed": "ERROR"}
_PROGRESS = {"queued": 25, "saving": 50, "active": 100}


class ImageListQuery(PagingQuery):
    """Nova's filters of the image list."""

    name = fields.String()
    status = fields.String()
    server = fields.String(metadata={"description": "A server's id or link: its snapshots."})
    type = fields.String(metadata={"description": "snapshot or backup (image_type)."})
    minRam = fields.Integer()
    minDisk = fields.Integer()
    changes_since = fields.String(data_key="changes-since")


def nova_image(image, detail):
    """Nova's proxied image view: metadata is the extra properties, and
    a snapshot names its server."""
    view = {"id": image.id, "name": image.name, "links": common.links("images", image.id)}
    if detail:
        view.update({"minRam": image.min_ram, "minDisk": image.min_disk,
                     "progress": _PROGRESS.get(image.status, 0),
                     "status": _STATUS.get(image.status, "UNKNOWN"),
                     "metadata": dict(image.properties or {}),
                     "created": common.isotime(image.created_at),
                     "updated": common.isotime(image.updated_at or image.created_at),
                     "OS-EXT-IMG-SIZE:size": image.size})
        server = (image.properties or {}).get("instance_uuid")
        if server:
            view["server"] = {"id": server, "links": common.links("servers", server)}
    return view


def _filters(args):
    filters = {}
    if args.get("name"):
        filters["name"] = args["name"]
    if args.get("status"):
        filters["status"] = args["status"].lower()
    properties = {}
    if args.get("server"):
        properties["instance_uuid"] = common.id_from_href(args["server"])
    if args.get("type"):
        properties["image_type"] = args["type"]
    if properties:
        filters["properties"] = properties
    if args.get("changes_since"):
        try:
            filters["changes_since"] = parse_isotime(args["changes_since"]).isoformat()
        except ValueError:
            raise BadRequest("Invalid filter field: changes-since.") from None
    return filters


def _images(args):
    ctxt = get_context()
    limit = common.limit_from(args)
    images = common.conductor().image_get_all(ctxt, image_api.list_filters(ctxt, _filters(args)))
    if args.get("minRam") is not None:
        images = [i for i in images if i.min_ram >= args["minRam"]]
    if args.get("minDisk") is not None:
        images = [i for i in images if i.min_disk >= args["minDisk"]]
    return common.page(images, limit, args.get("marker"), key=lambda i: i.id)


def _proxy_available():
    if is_supported("2.36"):
        raise NotFound("The image proxy API is not available from microversion 2.36.")


@blp.route("/images")
class NovaImages(MethodView):
    """Images through the compute API."""

    @blp.arguments(ImageListQuery, location="query")
    @blp.alt_response(404, description="From 2.36 (the proxy API is gone).")
    @blp.response(200, NovaImagesResponse)
    def get(self, args):
        """List images (until microversion 2.35)."""
        _proxy_available()
        return {"images": [nova_image(i, False) for i in _images(args)]}

    @blp.response(404)
    def delete(self):
        """No image named: Nova's router finds no route (404), where
        DELETE /images/ would otherwise be a 405."""
        raise NotFound("Image not found.")


@blp.route("/images/detail")
class NovaImagesDetail(MethodView):
    """Images with details through the compute API."""

    @blp.arguments(ImageListQuery, location="query")
    @blp.alt_response(404, description="From 2.36 (the proxy API is gone).")
    @blp.response(200, NovaImagesResponse)
    def get(self, args):
        """List images with details (until microversion 2.35)."""
        _proxy_available()
        return {"images": [nova_image(i, True) for i in _images(args)]}


@blp.route("/images/<image_id>")
class NovaImage(MethodView):
    """One image through the compute API."""

    @blp.response(200, NovaImageResponse)
    def get(self, image_id):
        """Show an image (until microversion 2.35)."""
        _proxy_available()
        return {"image": nova_image(image_api.get(get_context(), image_id), True)}

    @blp.response(204)
    def delete(self, image_id):
        """Delete an image (until microversion 2.35)."""
        _proxy_available()
        image_api.delete(get_context(), image_id)
