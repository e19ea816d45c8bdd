"""Flavors and images: what servers are built from."""
import uuid as uuidlib

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from stratus.common import exception
from stratus.common.timeutils import parse_isotime
from stratus.conductor.db.models import Flavor, Image

_FLAVOR_FIELDS = ("name", "vcpus", "memory_mb", "root_gb", "ephemeral_gb", "swap",
                  "rxtx_factor", "is_public", "disabled", "description", "extra_specs")


def flavor_get_all(session, is_public=True, min_ram=None, min_disk=None):
    query = select(Flavor).order_by(Flavor.flavorid)
    if is_public is not None:
        query = query.where(Flavor.is_public == bool(is_public))
    if min_ram:
        query = query.where(Flavor.memory_mb >= int(min_ram))
    if min_disk:
        query = query.where(Flavor.root_gb >= int(min_disk))
    return list(session.scalars(query))


def flavor_get(session, flavorid):
    row = session.scalars(select(Flavor).where(Flavor.flavorid == str(flavorid))).first()
    if row is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return row


def flavor_create(session, values):
    flavorid = values.get("flavorid") or str(uuidlib.uuid4())
    clash = session.scalars(select(Flavor).where(
        or_(Flavor.flavorid == str(flavorid), Flavor.name == values["name"]))).first()
    if clash is not None:
        key, value = (("id", flavorid) if clash.flavorid == str(flavorid)
                      else ("name", values["name"]))
        raise exception.FlavorExists(key=key, value=value)
    row = Flavor(flavorid=str(flavorid), **{k: values[k] for k in _FLAVOR_FIELDS if k in values})
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise exception.FlavorExists(key="id or name", value=flavorid)
    return row


def flavor_delete(session, flavorid):
    session.delete(flavor_get(session, flavorid))


def image_get_all(session, filters):
    """Images, oldest first (`sort_dir` "desc": newest first), by name,
    id list, status, visibility to a project (`project_id`: public, or
    its own), changed since (`changes_since`, ISO 8601) and extra
    properties (`properties`: every one equal)."""
    created = Image.created_at.desc() if filters.get("sort_dir") == "desc" else Image.created_at
    query = select(Image).order_by(created, Image.id)
    if filters.get("name"):
        query = query.where(Image.name == filters["name"])
    if filters.get("ids"):
        query = query.where(Image.id.in_(list(filters["ids"])))
    if filters.get("status"):
        query = query.where(Image.status == filters["status"])
    if filters.get("visibility"):
        query = query.where(Image.visibility == filters["visibility"])
    if filters.get("project_id"):
        query = query.where(or_(Image.visibility.in_(("public", "community")),
                                Image.owner == filters["project_id"]))
    if filters.get("changes_since"):
        changed = func.coalesce(Image.updated_at, Image.created_at)
        query = query.where(changed >= parse_isotime(filters["changes_since"]))
    rows = session.scalars(query)
    # Properties are one JSON column: compared here rather than with a
    # dialect's JSON operators (the catalog is small).
    wanted = {k: str(v) for k, v in (filters.get("properties") or {}).items()}
    return [row for row in rows
            if all(str((row.properties or {}).get(k)) == v for k, v in wanted.items())]


def image_get(session, image_id):
    row = session.get(Image, str(image_id))
    if row is None:
        raise exception.ImageNotFound(image_id=image_id)
    return row


_IMAGE_FIELDS = ("name", "status", "disk_format", "container_format", "size", "checksum",
                 "visibility", "min_disk", "min_ram", "file", "owner", "properties",
                 "os_hash_algo", "os_hash_value")


def image_create(session, values):
    image_id = values.get("id") or str(uuidlib.uuid4())
    if session.get(Image, image_id) is not None:
        raise exception.ImageExists(image_id=image_id)
    row = Image(id=image_id, **{k: values[k] for k in _IMAGE_FIELDS if k in values})
    session.add(row)
    session.flush()
    return row


def image_update(session, image_id, values):
    """Save a snapshot's progress (status queued -> saving -> active, then
    its file, size and checksum), or an owner's changes (name, properties...)."""
    row = image_get(session, image_id)
    for key in _IMAGE_FIELDS:
        if key in values:
            setattr(row, key, values[key])
    session.flush()
    return row


def image_delete(session, image_id):
    """Forget an image record (its file is the deleter's to remove); an
    image already gone is not an error."""
    row = session.get(Image, str(image_id))
    if row is not None:
        session.delete(row)
