"""The image catalog's rules, shared by the Glance-shaped API and Nova's
image proxy: who sees an image, what a create or a patch may set, and
upload and delete (record through the conductor, data in the store)."""
import jsonpatch
from werkzeug.exceptions import BadRequest, Conflict, Forbidden

from stratus.api import common, image_files
from stratus.common import exception
from stratus.common.boot_catalog import visible
from stratus.common.vocabulary import ImageStatus

DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso",
                "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")
VISIBILITIES = ("public", "private", "shared", "community")
# Glance's own attributes a user may set; every other key is an extra property.
SETTABLE = ("name", "disk_format", "container_format", "min_ram", "min_disk", "visibility")
# Glance's attributes nobody sets (403 "reserved"); id only at creation.
RESERVED = ("status", "size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value",
            "created_at", "updated_at", "self", "file", "schema", "direct_url", "location",
            "locations", "deleted", "deleted_at")
# Accepted and shown as Glance's defaults, not kept.
IGNORED = ("protected", "tags", "os_hidden", "owner")


def get(ctxt, image_id):
    """An image the caller may see (public, community, or its project's;
    everything for an admin); another project's private image is a 404."""
    image = common.conductor().image_get(ctxt, str(image_id))
    if not visible(ctxt, image):
        raise exception.ImageNotFound(image_id=image_id)
    return image


def _owned(ctxt, image):
    """Only its project (or an admin) changes an image; others get Glance's 403."""
    if not ctxt.is_admin and image.owner != ctxt.project_id:
        raise Forbidden("You are not permitted to modify this image.")


def list_filters(ctxt, filters):
    """The conductor's filters, scoped to what the caller may see."""
    if not ctxt.is_admin:
        filters = dict(filters, project_id=ctxt.project_id)
    return filters


def values_from(body, creating):
    """Record values from a Glance image document (a create's body or a
    patched image): 400 for a bad value, 403 for a reserved attribute."""
    values, properties = {}, {}
    for key, value in body.items():
        if key in RESERVED or (key == "id" and not creating):
            raise Forbidden(f"Attribute '{key}' is reserved.")
        if key in IGNORED or key == "id":
            continue
        if key in SETTABLE:
            values[key] = _checked(key, value)
        elif value is not None:
            if not isinstance(value, str) or len(key) > 255:
                raise BadRequest(f"Provided object does not match schema 'image': "
                                 f"{value!r} is not of type 'string' ({key}).")
            properties[key] = value
    values["properties"] = properties
    return values


def _checked(key, value):
    choices = {"disk_format": DISK_FORMATS, "container_format": CONTAINER_FORMATS,
               "visibility": VISIBILITIES}.get(key)
    if key in ("min_ram", "min_disk"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise BadRequest(f"Invalid value for {key}: {value!r} (an integer >= 0).")
    elif choices is not None:
        if value is None and key != "visibility":
            return value
        if value not in choices:
            raise BadRequest(f"Invalid value '{value}' for {key}: one of {', '.join(choices)}.")
    elif value is not None and (not isinstance(value, str) or len(value) > 255):
        raise BadRequest(f"Invalid value for {key}: a string of at most 255 characters.")
    return value


def create(ctxt, body):
    """A queued image owned by the caller's project; making it public is
    an admin's (Glance's publicize_image)."""
    values = values_from(body, creating=True)
    if values.get("visibility") == "public" and not ctxt.is_admin:
        raise Forbidden("You are not authorized to complete publicize_image action.")
    if "id" in body:
        if not common.is_uuid_like(body["id"]):
            raise BadRequest(f"Invalid value for id: {body['id']!r} is not a UUID.")
        values["id"] = str(body["id"])
    values.setdefault("visibility", "shared")
    values.setdefault("name", "")  # Glance's images may have no name (shown as null)
    values.update(status=ImageStatus.QUEUED, owner=ctxt.project_id)
    return common.conductor().image_create(ctxt, values)


def upload(ctxt, image_id, stream):
    """Store the image's data; queued → active with size and hashes (409
    unless queued, or without disk and container formats)."""
    image = get(ctxt, image_id)
    _owned(ctxt, image)
    if image.status != ImageStatus.QUEUED:
        raise Conflict(f"Image status transition from {image.status} to saving is not "
                       f"allowed")
    if not image.disk_format or not image.container_format:
        raise BadRequest("Properties disk_format, container_format must be set prior to "
                         "saving data.")
    common.conductor().image_update(ctxt, image.id, {"status": ImageStatus.SAVING})
    try:
        values = image_files.store(image.id, image.disk_format, stream)
    except Exception:
        common.conductor().image_update(ctxt, image.id, {"status": ImageStatus.QUEUED})
        raise
    return common.conductor().image_update(ctxt, image.id,
                                           dict(values, status=ImageStatus.ACTIVE))


def patch(ctxt, image_id, operations, document):
    """Apply a JSON patch to `document` (the image as Glance shows it) and
    save what changed; 400 for a patch that does not apply."""
    image = get(ctxt, image_id)
    _owned(ctxt, image)
    try:
        patched = jsonpatch.JsonPatch(operations).apply(document)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError,
            ValueError) as exc:
        raise BadRequest(f"Invalid JSON patch: {exc}") from None
    changed = {k: v for k, v in patched.items() if document.get(k, _GONE) != v}
    removed = [k for k in document if k not in patched]
    for key in removed:
        if key in SETTABLE or key in RESERVED or key == "id":
            raise Forbidden(f"Attribute '{key}' is reserved.")
    values = values_from(changed, creating=False)
    values["properties"] = {k: v for k, v in dict(image.properties, **values["properties"]).items()
                            if k not in removed}
    if values.get("visibility") == "public" and not ctxt.is_admin:
        raise Forbidden("You are not authorized to complete publicize_image action.")
    return common.conductor().image_update(ctxt, image.id, values)


_GONE = object()


def set_properties(ctxt, image_id, properties, replace):
    """Nova's image metadata: merge into (or `replace`) the extra properties."""
    image = get(ctxt, image_id)
    _owned(ctxt, image)
    merged = dict(properties) if replace else dict(image.properties, **properties)
    return common.conductor().image_update(ctxt, image.id, {"properties": merged})


def delete(ctxt, image_id):
    """Forget the record, then remove the data."""
    image = get(ctxt, image_id)
    _owned(ctxt, image)
    common.conductor().image_delete(ctxt, image.id)
    image_files.remove(image.file)
