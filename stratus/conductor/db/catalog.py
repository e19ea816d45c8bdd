"""Flavors and images: what servers are built from."""
import uuid as uuidlib

from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from stratus.common import exception
from stratus.common.timeutils import parse_isotime
from stratus.conductor.db.models import Flavor, FlavorProject, Image

_FLAVOR_FIELDS = ("name", "vcpus", "memory_mb", "root_gb", "ephemeral_gb", "swap",
                  "rxtx_factor", "is_public", "disabled", "description", "extra_specs")


def _granted(project_id):
    """The flavor is private and `project_id` has been given access."""
    return exists().where(FlavorProject.flavor_id == Flavor.id,
                          FlavorProject.project_id == project_id)


def flavor_get_all(session, is_public=True, min_ram=None, min_disk=None, project_id=None,
                   is_admin=True):
    """Nova's rule: `is_public` True means the public flavors and those
    `project_id` has access to; a non-admin never sees other private ones."""
    query = select(Flavor).order_by(Flavor.flavorid)
    if is_public is not None:
        wanted = Flavor.is_public == bool(is_public)
        query = query.where(or_(wanted, _granted(project_id)) if is_public and project_id
                            else wanted)
    if not is_admin:
        query = query.where(or_(Flavor.is_public.is_(True), _granted(project_id)))
    if min_ram:
        query = query.where(Flavor.memory_mb >= int(min_ram))
    if min_disk:
        query = query.where(Flavor.root_gb >= int(min_disk))
    return list(session.scalars(query))


def flavor_get(session, flavorid, project_id=None):
    """A flavor by API id; with `project_id` (a non-admin asking), a
    private flavor the project has no access to is not found (Nova)."""
    query = select(Flavor).where(Flavor.flavorid == str(flavorid))
    if project_id is not None:
        query = query.where(or_(Flavor.is_public.is_(True), _granted(project_id)))
    row = session.scalars(query).first()
    if row is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return row


# A boot's flavor and image, read by Core statements built once (the
# ORM's load cost more than the query).
_FLAVORS, _IMAGES = Flavor.__table__, Image.__table__
_FLAVOR = select(_FLAVORS).where(_FLAVORS.c.flavorid == bindparam("match_flavorid"))
_VISIBLE_FLAVOR = _FLAVOR.where(or_(_FLAVORS.c.is_public.is_(True),
                                    _granted(bindparam("match_project"))))
_IMAGE = select(_IMAGES).where(_IMAGES.c.id == bindparam("match_id"))


def flavor_row(session, flavorid, project_id=None):
    """flavor_get's flavor as a read-only Core row."""
    row = session.execute(_FLAVOR if project_id is None else _VISIBLE_FLAVOR, {
        "match_flavorid": str(flavorid), "match_project": project_id}).first()
    if row is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return row


def image_row(session, image_id):
    """image_get's image as a read-only Core row."""
    row = session.execute(_IMAGE, {"match_id": str(image_id)}).first()
    if row is None:
        raise exception.ImageNotFound(image_id=image_id)
    return row


def flavor_update(session, flavorid, values):
    """Change a flavor's description (the one field Nova lets change)."""
    row = flavor_get(session, flavorid)
    if "description" in values:
        row.description = values["description"]
    session.flush()
    return row


def extra_specs_update(session, flavorid, specs):
    """Set (add or replace) extra specs; returns the flavor."""
    row = flavor_get(session, flavorid)
    # A new dict: the JSON column only notices assignment.
    row.extra_specs = {**(row.extra_specs or {}), **specs}
    session.flush()
    return row


def extra_spec_delete(session, flavorid, key):
    row = flavor_get(session, flavorid)
    specs = dict(row.extra_specs or {})
    if key not in specs:
        raise exception.NotFound(f"Flavor {flavorid} has no extra specs with key {key}.")
    del specs[key]
    row.extra_specs = specs
    session.flush()


def flavor_access_list(session, flavorid):
    """The projects given access to a private flavor; a public flavor has
    no list (Nova's 404)."""
    row = flavor_get(session, flavorid)
    if row.is_public:
        raise exception.NotFound("Access list not available for public flavors.")
    return row, list(session.scalars(select(FlavorProject.project_id).where(
        FlavorProject.flavor_id == row.id).order_by(FlavorProject.id)))


def flavor_access_add(session, flavorid, project_id):
    row = flavor_get(session, flavorid)
    if row.is_public:
        raise exception.Conflict("Can not add access to a public flavor.")
    if project_id in flavor_access_list(session, flavorid)[1]:
        raise exception.FlavorAccessExists(flavor_id=flavorid, project_id=project_id)
    session.add(FlavorProject(flavor_id=row.id, project_id=project_id))
    session.flush()
    return flavor_access_list(session, flavorid)


def flavor_access_remove(session, flavorid, project_id):
    row = flavor_get(session, flavorid)
    grant = session.scalars(select(FlavorProject).where(
        FlavorProject.flavor_id == row.id, FlavorProject.project_id == project_id)).first()
    if grant is None:
        raise exception.FlavorAccessNotFound(flavor_id=flavorid, project_id=project_id)
    session.delete(grant)
    session.flush()
    return flavor_access_list(session, flavorid)


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
    row = flavor_get(session, flavorid)
    # Not left to the foreign key's cascade: SQLite does not enforce it.
    session.execute(FlavorProject.__table__.delete().where(
        FlavorProject.__table__.c.flavor_id == row.id))
    session.delete(row)


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
