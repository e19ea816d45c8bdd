"""Migration records (Nova's migration database API): created by the
conductor when a move starts, their status moved along by the hosts
that do the work, listed for operators by /os-migrations."""
import uuid as uuidlib

from sqlalchemy import select

from stratus.common import exception
from stratus.common.integers import is_integer_id
from stratus.conductor.db import hosts, paging
from stratus.conductor.db.models import ResourceClaim
from stratus.conductor.db.migration_models import Migration
from stratus.common.vocabulary import MigrationStatus
from stratus.common.timeutils import parse_isotime, utcnow

_COLUMNS = {c.key for c in Migration.__mapper__.column_attrs} - {"id", "deleted",
                                                                "created_at", "updated_at"}


def _flavor(value):
    return value.to_dict() if hasattr(value, "to_dict") else (value or {})


def migration_create(session, values):
    """A new migration row; refused (MigrationInProgress) while the server
    has another one still in progress, so two moves never overlap."""
    values = dict(values)
    busy = in_progress_for_instance(session, values["instance_uuid"])
    if busy is not None:
        raise exception.MigrationInProgress(instance_uuid=values["instance_uuid"],
                                            migration_id=busy.id, status=busy.status)
    for key in ("old_flavor", "new_flavor"):
        values[key] = _flavor(values.get(key))
    values.setdefault("uuid", str(uuidlib.uuid4()))
    values.setdefault("migrate_data", {})
    row = Migration(**{k: v for k, v in values.items() if k in _COLUMNS})
    session.add(row)
    session.flush()
    return row


def migration_get(session, migration_id):
    """By id or uuid."""
    if is_integer_id(migration_id):
        match = Migration.id == int(migration_id)
    else:
        match = Migration.uuid == str(migration_id)
    row = session.scalars(select(Migration).where(match, Migration.deleted == 0)).first()
    if row is None:
        raise exception.MigrationNotFound(migration_id=migration_id)
    return row


def migration_update(session, migration_id, values, expected_status=None):
    """Save `values`; with `expected_status` (one or a list), only while the
    row still has it (else MigrationStatusConflict): a second delivery of
    a host's message finds the status moved on and does nothing twice."""
    row = migration_get(session, migration_id)
    if expected_status is not None:
        allowed = [expected_status] if isinstance(expected_status, str) else list(expected_status)
        if row.status not in allowed:
            raise exception.MigrationStatusConflict(migration_id=row.id, expected=allowed,
                                                    actual=row.status)
    for key, value in values.items():
        if key in ("old_flavor", "new_flavor"):
            value = _flavor(value)
        if key in _COLUMNS:
            setattr(row, key, value)
    if "error" in values and values["error"]:
        row.error = str(values["error"])[:255]
    row.updated_at = utcnow()
    session.flush()
    return row


def migration_uuids(session, instance_uuid):
    """The uuids of every migration of a server (claims' consumers)."""
    return list(session.scalars(select(Migration.uuid).where(
        Migration.instance_uuid == instance_uuid)))


def in_progress_for_instance(session, instance_uuid):
    """The server's migration still in progress, or None."""
    return session.scalars(select(Migration).where(
        Migration.instance_uuid == instance_uuid, Migration.deleted == 0,
        Migration.status.in_(MigrationStatus.IN_PROGRESS))
        .order_by(Migration.id.desc())).first()


_FILTERS = ("instance_uuid", "status", "migration_type", "source_compute", "dest_compute",
            "project_id", "user_id")


def migration_get_all(session, filters, limit=None, marker=None):
    """Migrations newest first. `filters`: any of _FILTERS (a value or a
    list), `host` (source or destination), `changes_since`/`changes_before`
    (updated_at, ISO strings); paged after the migration `marker` (uuid)."""
    query = select(Migration).where(Migration.deleted == 0).order_by(
        Migration.created_at.desc(), Migration.id.desc())
    for key in _FILTERS:
        wanted = filters.get(key)
        if wanted is not None:
            column = getattr(Migration, key)
            query = query.where(column.in_(wanted) if isinstance(wanted, list) else column == wanted)
    if filters.get("host"):
        host = filters["host"]
        query = query.where((Migration.source_compute == host) | (Migration.dest_compute == host))
    if filters.get("changes_since"):
        query = query.where(Migration.updated_at >= parse_isotime(filters["changes_since"]))
    if filters.get("changes_before"):
        query = query.where(Migration.updated_at <= parse_isotime(filters["changes_before"]))
    if marker:
        after = session.scalars(select(Migration).where(Migration.uuid == str(marker))).first()
        if after is None:
            raise exception.MarkerNotFound(marker=marker)
        query = paging.after_marker(query, Migration, after)
    if limit is not None:
        query = query.limit(int(limit))
    return list(session.scalars(query))


def hold_source_claim(session, migration):
    """A resize or cold migration starts: the room the server holds on its
    source goes to the migration (Nova's migration-held allocation), so
    that the server can claim its new size anywhere, its own host too."""
    if migration.source_node_id is not None:
        hosts.hand_over(session, migration.instance_uuid, migration.uuid,
                        migration.source_node_id)


def settle_source_claim(session, migration, outcome):
    """The room the migration holds on the source: "release"d (confirmed)
    or "restore"d to the server (reverted or failed; a claim the server
    has on that node goes first: a same-host resize's new size). Nothing
    when the migration holds no room any more (settled already)."""
    if outcome not in ("release", "restore"):
        raise ValueError(f"unknown outcome of a source claim: {outcome}")
    held = session.scalars(select(ResourceClaim.id).where(
        ResourceClaim.instance_uuid == migration.uuid)).first()
    if held is None:
        return
    if outcome == "release":
        hosts.release(session, migration.uuid)
        return
    hosts.release(session, migration.instance_uuid, migration.source_node_id)
    hosts.hand_over(session, migration.uuid, migration.instance_uuid,
                    migration.source_node_id)
