"""Images: a Glance-v2-shaped subset (`/image`, `/image/v2/images`,
`/v2/images`) that clients use to look an image up by name or id, and
Nova's deprecated `/v2.1/images` proxy (gone from microversion 2.36)."""
from flask.views import MethodView
from marshmallow import Schema, fields
from werkzeug.exceptions import NotFound

from stratus.api import common
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.common import PagingQuery
from stratus.api.schemas.responses import NovaImageResponse, NovaImagesResponse

blp = Blueprint("images", __name__, description="Images (Glance v2 subset)")
nova_blp = Blueprint("nova-images", __name__, url_prefix="/v2.1",
                     description="Images through the compute API (deprecated in 2.36)")

ImageVersions = Schema.from_dict({"versions": fields.List(fields.Dict())}, name="ImageVersions")
ImageList = Schema.from_dict({"images": fields.List(fields.Dict()), "first": fields.String(),
                              "schema": fields.String(), "next": fields.String()},
                             name="ImageList")
_GLANCE_KEYS = ("id", "name", "status", "disk_format", "container_format", "size",
                "virtual_size", "visibility", "min_disk", "min_ram", "checksum", "os_hash_algo",
                "os_hash_value", "os_hidden", "protected", "tags", "owner", "created_at",
                "updated_at", "self", "file", "schema")
GlanceImage = Schema.from_dict({key: fields.Raw() for key in _GLANCE_KEYS}, name="GlanceImage")
_NOVA_STATUS = {"active": "ACTIVE", "queued": "SAVING", "saving": "SAVING",
                "importing": "SAVING", "deleted": "DELETED", "pending_delete": "DELETED",
                "killed": "ERROR"}


class ImageListQuery(PagingQuery):
    """Glance's filters: name, id (`in:a,b`), status."""

    name = fields.String()
    id = fields.String(metadata={"description": "An id, or `in:id1,id2`."})
    status = fields.String()


def glance_image(image):
    """A Glance v2 image (a bare object)."""
    return {
        "id": image.id, "name": image.name, "status": image.status,
        "disk_format": image.disk_format, "container_format": image.container_format,
        "size": image.size, "virtual_size": None, "visibility": image.visibility,
        "min_disk": image.min_disk, "min_ram": image.min_ram, "checksum": image.checksum,
        "os_hash_algo": None, "os_hash_value": None, "os_hidden": False,
        "protected": False, "tags": [], "owner": image.owner,
        "created_at": common.isotime(image.created_at),
        "updated_at": common.isotime(image.updated_at or image.created_at),
        "self": f"/v2/images/{image.id}", "file": f"/v2/images/{image.id}/file",
        "schema": "/v2/schemas/image",
    }


def _filters(args):
    filters = {}
    if args.get("name"):
        filters["name"] = args["name"]
    if args.get("id"):
        raw = args["id"]
        ids = raw[3:].split(",") if raw.startswith("in:") else [raw]
        filters["ids"] = [i.strip().strip('"') for i in ids if i.strip()]
    if args.get("status"):
        filters["status"] = args["status"]
    return filters


def _images(args):
    limit = common.limit_from(args)
    images = common.conductor().image_get_all(get_context(), _filters(args))
    return common.page(images, limit, args.get("marker"), key=lambda i: i.id), limit


@blp.route("/image")
@blp.route("/image/v2")
class GlanceVersions(MethodView):
    """Image API versions."""

    @blp.response(300, ImageVersions)
    def get(self):
        """List the image API versions (Glance answers 300)."""
        href = f"{common.base_url()}/image/v2/"
        return {"versions": [{"id": "v2.16", "status": "CURRENT",
                              "links": [{"rel": "self", "href": href}]},
                             {"id": "v2.0", "status": "SUPPORTED",
                              "links": [{"rel": "self", "href": href}]}]}


@blp.route("/image/v2/images")
@blp.route("/v2/images")
class GlanceImages(MethodView):
    """Images."""

    @blp.arguments(ImageListQuery, location="query")
    @blp.response(200, ImageList)
    def get(self, args):
        """List images by name, id or status."""
        images, limit = _images(args)
        body = {"images": [glance_image(i) for i in images], "first": "/v2/images",
                "schema": "/v2/schemas/images"}
        if len(images) == limit and images:
            body["next"] = f"/v2/images?marker={images[-1].id}&limit={limit}"
        return body


@blp.route("/image/v2/images/<image_id>")
@blp.route("/v2/images/<image_id>")
class GlanceImageDetail(MethodView):
    """One image."""

    @blp.response(200, GlanceImage)
    def get(self, image_id):
        """Show an image (a bare object, not wrapped)."""
        return glance_image(common.conductor().image_get(get_context(), image_id))


def nova_image(image, detail):
    """Nova's proxied image view."""
    view = {"id": image.id, "name": image.name, "links": common.links("images", image.id)}
    if detail:
        status = _NOVA_STATUS.get(image.status, "UNKNOWN")
        view.update({"minRam": image.min_ram, "minDisk": image.min_disk,
                     "progress": 100 if status == "ACTIVE" else 0, "status": status,
                     "metadata": {}, "created": common.isotime(image.created_at),
                     "updated": common.isotime(image.updated_at or image.created_at),
                     "OS-EXT-IMG-SIZE:size": image.size})
    return view


def _proxy_available():
    if is_supported("2.36"):
        raise NotFound("The image proxy API is not available from microversion 2.36.")


@nova_blp.route("/images")
class NovaImages(MethodView):
    """Images through the compute API."""

    @nova_blp.arguments(ImageListQuery, location="query")
    @nova_blp.alt_response(404, description="From 2.36 (the proxy API is gone).")
    @nova_blp.response(200, NovaImagesResponse)
    def get(self, args):
        """List images (until microversion 2.35)."""
        _proxy_available()
        return {"images": [nova_image(i, False) for i in _images(args)[0]]}


@nova_blp.route("/images/detail")
class NovaImagesDetail(MethodView):
    """Images with details through the compute API."""

    @nova_blp.arguments(ImageListQuery, location="query")
    @nova_blp.alt_response(404, description="From 2.36 (the proxy API is gone).")
    @nova_blp.response(200, NovaImagesResponse)
    def get(self, args):
        """List images with details (until microversion 2.35)."""
        _proxy_available()
        return {"images": [nova_image(i, True) for i in _images(args)[0]]}


@nova_blp.route("/images/<image_id>")
class NovaImage(MethodView):
    """One image through the compute API."""

    @nova_blp.response(200, NovaImageResponse)
    def get(self, image_id):
        """Show an image (until microversion 2.35)."""
        _proxy_available()
        return {"image": nova_image(common.conductor().image_get(get_context(), image_id), True)}
