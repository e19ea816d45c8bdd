"""Images, Glance v2 shaped (`/image`, `/image/v2/images`, `/v2/images`):
create (queued), upload its data (active), JSON-patch, delete, show and
list with Glance's filters. The rules are in stratus.api.image_api."""
import flask
from flask.views import MethodView
from marshmallow import INCLUDE, Schema, fields
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from stratus.api import common, image_api
from stratus.api.api import Blueprint
from stratus.api.request_context import get_context
from stratus.api.schemas.common import PagingQuery

blp = Blueprint("images", __name__, description="Images (Glance v2 subset)")

ImageVersions = Schema.from_dict({"versions": fields.List(fields.Dict())}, name="ImageVersions")
# Glance's bodies are bare objects (an image is not wrapped): documented
# loosely here, answered by the views themselves.
class _Open(Schema):
    class Meta:
        unknown = INCLUDE


class GlanceImage(_Open):
    id = fields.String()
    status = fields.String()


class GlanceImages(_Open):
    images = fields.List(fields.Dict())


GlanceTasks = Schema.from_dict({"tasks": fields.List(fields.Dict())}, name="GlanceTasks")
PATCH_TYPES = ("application/openstack-images-v2.1-json-patch",
               "application/openstack-images-v2.0-json-patch")
# Glance's image_size_cap default (1 TiB): the largest upload.
IMAGE_SIZE_CAP = 1 << 40
# Query keys that are not property filters.
_LIST_KEYS = ("limit", "marker", "sort_key", "sort_dir", "sort", "name", "id", "status",
              "visibility", "member_status", "owner")


def glance_image(image):
    """A Glance v2 image (a bare object): its extra properties at the top level."""
    view = dict(image.properties or {})
    view.update({
        "id": image.id, "name": image.name or None, "status": image.status,
        "disk_format": image.disk_format, "container_format": image.container_format,
        "size": image.size or None, "virtual_size": None, "visibility": image.visibility,
        "min_disk": image.min_disk, "min_ram": image.min_ram, "checksum": image.checksum,
        "os_hash_algo": image.os_hash_algo, "os_hash_value": image.os_hash_value,
        "os_hidden": False, "protected": False, "tags": [], "owner": image.owner,
        "created_at": common.isotime(image.created_at),
        "updated_at": common.isotime(image.updated_at or image.created_at),
        "self": f"/v2/images/{image.id}", "file": f"/v2/images/{image.id}/file",
        "schema": "/v2/schemas/image",
    })
    return view


def _reply(body, status=200, headers=None):
    reply = flask.jsonify(body)
    reply.status_code = status
    reply.headers.update(headers or {})
    return reply


def list_filters(args):
    """Glance's list filters: name, id (`in:a,b`), status, visibility,
    sort_dir, and any other key names an extra property."""
    filters = {}
    for key in ("name", "status", "visibility"):
        if args.get(key):
            filters[key] = args[key]
    if args.get("id"):
        raw = args["id"]
        ids = raw[3:].split(",") if raw.startswith("in:") else [raw]
        filters["ids"] = [i.strip().strip('"') for i in ids if i.strip()]
    if args.get("sort_dir") in ("asc", "desc"):
        filters["sort_dir"] = args["sort_dir"]
    properties = {k: v for k, v in args.items() if k not in _LIST_KEYS}
    if properties:
        filters["properties"] = properties
    return filters


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

    @blp.arguments(PagingQuery, location="query")
    @blp.alt_response(200, schema=GlanceImages)
    def get(self, args):
        """List the images the project sees (Glance's filters; other keys
        filter by extra property)."""
        ctxt = get_context()
        limit = common.limit_from(args)
        filters = image_api.list_filters(ctxt, list_filters(flask.request.args.to_dict()))
        images = common.page(common.conductor().image_get_all(ctxt, filters), limit,
                             args.get("marker"), key=lambda i: i.id)
        body = {"images": [glance_image(i) for i in images], "first": "/v2/images",
                "schema": "/v2/schemas/images"}
        if len(images) == limit and images:
            body["next"] = f"/v2/images?marker={images[-1].id}&limit={limit}"
        return _reply(body)

    @blp.doc(requestBody={"content": {"application/json": {"schema": {"type": "object"}}}})
    @blp.alt_response(201, schema=GlanceImage)
    def post(self):
        """Create an image (queued until its data is uploaded): name,
        disk_format, container_format, min_ram, min_disk, visibility, and
        extra properties (strings)."""
        body = flask.request.get_json(force=True, silent=True)
        if not isinstance(body, dict):
            raise BadRequest("Request body must be a JSON object.")
        image = image_api.create(get_context(), body)
        return _reply(glance_image(image), 201,
                      {"Location": f"{common.base_url()}/v2/images/{image.id}"})


@blp.route("/image/v2/images/<image_id>")
@blp.route("/v2/images/<image_id>")
class GlanceImageDetail(MethodView):
    """One image."""

    @blp.alt_response(200, schema=GlanceImage)
    def get(self, image_id):
        """Show an image (a bare object, not wrapped)."""
        return _reply(glance_image(image_api.get(get_context(), image_id)))

    @blp.alt_response(200, schema=GlanceImage)
    @blp.alt_response(415)
    def patch(self, image_id):
        """Change an image with a JSON patch
        (`application/openstack-images-v2.1-json-patch`)."""
        if flask.request.mimetype not in PATCH_TYPES:
            raise UnsupportedMediaType(f"A patch is sent as {PATCH_TYPES[0]}.")
        operations = flask.request.get_json(force=True, silent=True)
        if not isinstance(operations, list):
            raise BadRequest("A JSON patch is a list of operations.")
        ctxt = get_context()
        document = glance_image(image_api.get(ctxt, image_id))
        image = image_api.patch(ctxt, image_id, operations, document)
        return _reply(glance_image(image))

    @blp.response(204)
    def delete(self, image_id):
        """Delete an image and its data."""
        image_api.delete(get_context(), image_id)


@blp.route("/image/v2/images/<image_id>/file")
@blp.route("/v2/images/<image_id>/file")
class GlanceImageFile(MethodView):
    """An image's data."""

    @blp.response(204)
    def put(self, image_id):
        """Upload the data of a queued image (application/octet-stream):
        it becomes active, with its size, checksum and os_hash."""
        # The API's body limit is for JSON documents, not image data.
        flask.request.max_content_length = IMAGE_SIZE_CAP
        image_api.upload(get_context(), image_id, flask.request.stream)


@blp.route("/image/v2/images/<image_id>/tasks")
@blp.route("/v2/images/<image_id>/tasks")
class GlanceImageTasks(MethodView):
    """An image's import tasks."""

    @blp.alt_response(200, schema=GlanceTasks)
    def get(self, image_id):
        """None: uploads here are synchronous (Glance's answer for an image
        that was never imported)."""
        image_api.get(get_context(), image_id)
        return _reply({"tasks": []})
