"""Host aggregates: named sets of compute hosts with metadata. An
aggregate's `availability_zone` metadata is the zone of its hosts; the
zone rules (a host in one zone only, no zone change under running
servers) are Nova's AggregateAPI checks."""
import uuid as uuidlib

from sqlalchemy import func, select

from stratus.common import exception
from stratus.common.timeutils import utcnow
from stratus.conductor.db.hosts import compute_service
from stratus.conductor.db.models import Aggregate, AggregateHost, Instance

ZONE_KEY = "availability_zone"


def aggregate_get_all(session):
    return list(session.scalars(select(Aggregate).order_by(Aggregate.id)))


_MAX_ID = 2 ** 31 - 1


def aggregate_get(session, aggregate_id):
    # An id beyond the column's range names nothing (and must not reach SQL).
    row = session.get(Aggregate, int(aggregate_id)) if abs(int(aggregate_id)) <= _MAX_ID else None
    if row is None:
        raise exception.AggregateNotFound(aggregate_id=aggregate_id)
    return row


def hosts_of(session, aggregate_id):
    return list(session.scalars(select(AggregateHost.host).where(
        AggregateHost.aggregate_id == aggregate_id).order_by(AggregateHost.id)))


def _check_name_free(session, name, aggregate_id=None):
    clash = session.scalars(select(Aggregate).where(Aggregate.name == name)).first()
    if clash is not None and clash.id != aggregate_id:
        raise exception.AggregateNameExists(aggregate_name=name)


def aggregate_create(session, name, availability_zone=None):
    _check_name_free(session, name)
    row = Aggregate(uuid=str(uuidlib.uuid4()), name=name,
                    meta={ZONE_KEY: availability_zone} if availability_zone else {})
    session.add(row)
    session.flush()
    return row


def aggregate_update(session, aggregate_id, values):
    """Rename and/or move to another zone (a null zone leaves the zone)."""
    row = aggregate_get(session, aggregate_id)
    if "name" in values:
        _check_name_free(session, values["name"], row.id)
        row.name = values["name"]
    if ZONE_KEY in values:
        _set_metadata(session, row, {ZONE_KEY: values[ZONE_KEY]}, "update aggregate")
    row.updated_at = utcnow()
    session.flush()
    return row


def aggregate_set_metadata(session, aggregate_id, metadata):
    """Merge `metadata` in; a null value removes its key."""
    row = aggregate_get(session, aggregate_id)
    _set_metadata(session, row, metadata, "update aggregate metadata")
    row.updated_at = utcnow()
    session.flush()
    return row


def _set_metadata(session, row, metadata, action):
    # As Nova: a zone, once given, can be changed but not taken away.
    if ZONE_KEY in metadata:
        _check_zone_change(session, row, metadata[ZONE_KEY], hosts_of(session, row.id), action,
                           exception.InvalidAggregateAction, check_instances=True)
    merged = dict(row.meta or {})
    for key, value in metadata.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    row.meta = merged


def _check_zone_change(session, row, zone, hosts, action, error, check_instances):
    """Nova's is_safe_to_update_az: no empty zone, no host in two zones,
    and (for a change of this aggregate's zone) no servers that would move."""
    def refuse(reason):
        raise error(action=action, aggregate_id=row.id, reason=reason)

    if not zone:
        refuse(f"Aggregate {row.name} does not support empty named availability zone")
    others = {z for agg_id, z in _zones_of_hosts(session, hosts) if agg_id != row.id and z != zone}
    if others:
        refuse(f"One or more hosts already in availability zone(s) {sorted(others)}")
    if check_instances and (row.meta or {}).get(ZONE_KEY) != zone and _count_instances(
            session, hosts):
        refuse("One or more hosts contain instances in this zone")


def _zones_of_hosts(session, hosts):
    """[(aggregate id, zone)] of the zoned aggregates holding any of `hosts`."""
    if not hosts:
        return []
    rows = session.execute(select(Aggregate.id, Aggregate.meta).join(
        AggregateHost, AggregateHost.aggregate_id == Aggregate.id).where(
        AggregateHost.host.in_(list(hosts))))
    return [(agg_id, meta[ZONE_KEY]) for agg_id, meta in rows if (meta or {}).get(ZONE_KEY)]


def _count_instances(session, hosts):
    if not hosts:
        return 0
    return session.scalar(select(func.count(Instance.id)).where(
        Instance.host.in_(list(hosts)), Instance.deleted == 0))


def aggregate_delete(session, aggregate_id):
    row = aggregate_get(session, aggregate_id)
    if hosts_of(session, row.id):
        raise exception.InvalidAggregateAction(action="delete", aggregate_id=row.id,
                                               reason="Host aggregate is not empty")
    session.delete(row)


def add_host(session, aggregate_id, host):
    """Add a compute host; refused (409) when it is already a member or
    would change zone under its servers."""
    if compute_service(session, host) is None:
        raise exception.ComputeHostNotFound(host=host)
    row = aggregate_get(session, aggregate_id)
    if host in hosts_of(session, row.id):
        raise exception.AggregateHostExists(aggregate_id=row.id, host=host)
    zone = (row.meta or {}).get(ZONE_KEY)
    if zone:
        _check_zone_change(session, row, zone, [host], "add host to",
                           exception.InvalidAggregateHostAction, check_instances=False)
        if host_zone(session, host) != zone and _count_instances(session, [host]):
            raise exception.InvalidAggregateHostAction(
                action="add host to", aggregate_id=row.id,
                reason=f"the availability zone of host {host} would change under its servers")
    session.add(AggregateHost(aggregate_id=row.id, host=host))
    # Its hosts' zone and metadata changed: the scheduler reads them again.
    row.updated_at = utcnow()
    session.flush()
    return row


def remove_host(session, aggregate_id, host):
    row = aggregate_get(session, aggregate_id)
    member = session.scalars(select(AggregateHost).where(
        AggregateHost.aggregate_id == row.id, AggregateHost.host == host)).first()
    if member is None:
        raise exception.AggregateHostNotFound(aggregate_id=row.id, host=host)
    zone = (row.meta or {}).get(ZONE_KEY)
    remaining = {z for agg_id, z in _zones_of_hosts(session, [host]) if agg_id != row.id}
    if zone and zone not in remaining and _count_instances(session, [host]):
        raise exception.InvalidAggregateHostAction(
            action="remove host from", aggregate_id=row.id,
            reason=f"the availability zone of host {host} would change under its servers")
    session.delete(member)
    row.updated_at = utcnow()
    session.flush()
    return row


def host_zone(session, host):
    """The zone an aggregate gives `host`, or None."""
    zones = sorted(z for _, z in _zones_of_hosts(session, [host]))
    return zones[0] if zones else None


def host_zones(session):
    """{host: zone} of every host a zoned aggregate holds."""
    zones = {}
    rows = session.execute(select(AggregateHost.host, Aggregate.meta).join(
        Aggregate, AggregateHost.aggregate_id == Aggregate.id).order_by(Aggregate.id))
    for host, meta in rows:
        if (meta or {}).get(ZONE_KEY):
            zones.setdefault(host, meta[ZONE_KEY])
    return zones


def host_metadata(session):
    """{host: {key: [values]}}: the metadata of each host's aggregates
    (a key set by two aggregates has two values, as Nova's
    aggregate_metadata_get_by_host)."""
    merged = {}
    rows = session.execute(select(AggregateHost.host, Aggregate.meta).join(
        Aggregate, AggregateHost.aggregate_id == Aggregate.id).order_by(Aggregate.id))
    for host, meta in rows:
        for key, value in (meta or {}).items():
            values = merged.setdefault(host, {}).setdefault(key, [])
            if value not in values:
                values.append(value)
    return merged
