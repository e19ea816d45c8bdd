"""Flavors and images: what servers are built from."""
import uuid as uuidlib

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from stratus.common import exception
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
    query = select(Image).order_by(Image.created_at, Image.id)
    if filters.get("name"):
        query = query.where(Image.name == filters["name"])
    if filters.get("ids"):
        query = query.where(Image.id.in_(list(filters["ids"])))
    if filters.get("status"):
        query = query.where(Image.status == filters["status"])
    return list(session.scalars(query))


def image_get(session, image_id):
    row = session.get(Image, str(image_id))
    if row is None:
        raise exception.ImageNotFound(image_id=image_id)
    return row


_IMAGE_FIELDS = ("name", "status", "disk_format", "container_format", "size", "checksum",
                 "visibility", "min_disk", "min_ram", "file", "owner")


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
    its file, size and checksum)."""
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
