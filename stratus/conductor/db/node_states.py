"""The scheduler's compact read of the compute nodes: plain rows from
SQLAlchemy Core (no ORM objects, no wire objects), and after the first
read only what changed since the reader's last one.

What changes a node bumps its `updated_at` (the column's onupdate): a
claim, a release, the compute's resource update, its deletion, and a
change of its service's zone (hosts.service_update touches the nodes).
An aggregate's membership or metadata change bumps the aggregate's.
Those stamps are taken before their transaction commits, so a row can
become visible after a read that started later than its stamp: each read
looks back OVERLAP before the previous read began, and sends again what
changed in that window (the reader replaces rows, it never adds them up).
Service up/down is a matter of time, not of a write: the services that
are down or disabled, usually few, are read in full every time."""
import datetime

from sqlalchemy import func, or_, select, true

from stratus.config import get_settings
from stratus.common.timeutils import utcnow
from stratus.conductor import convert
from stratus.conductor.db import aggregates
from stratus.conductor.db.models import Aggregate, ComputeNode, Service

# Longer than a transaction holding a claim stays open, plus the clock
# skew between conductors.
OVERLAP = datetime.timedelta(seconds=5)

# The order of each node's values; what the scheduler's HostState reads.
COLUMNS = ("id", "uuid", "host", "hypervisor_hostname", "hypervisor_type",
           "hypervisor_version", "vcpus", "memory_mb", "local_gb", "vcpus_used",
           "memory_mb_used", "local_gb_used", "running_vms", "cpu_allocation_ratio",
           "ram_allocation_ratio", "disk_allocation_ratio", "host_ip", "service_id")

_N, _S = ComputeNode, Service
_SELECT = tuple(getattr(_N, name) for name in COLUMNS) + (
    # The service's zone by its primary key, row by row: the rows read
    # after the first are few, and a join would read every service.
    # ("" for a service without a zone; NULL: no service.)
    select(func.coalesce(_S.availability_zone, "")).where(
        _S.id == _N.service_id).scalar_subquery().label("zone"),
    _N.reserved_host_memory_mb, _N.reserved_host_disk_mb, _N.deleted)


def _changed(model, since):
    return func.coalesce(model.updated_at, model.created_at) >= since - OVERLAP


_MEMORY, _DISK = COLUMNS.index("memory_mb"), COLUMNS.index("local_gb")


def _row(values):
    """One node's values in COLUMNS order, the reserved room taken out of
    its totals as for its wire object (convert.usable_totals)."""
    row = list(values[:len(COLUMNS)])
    row[_MEMORY], row[_DISK] = convert.usable_totals(values)
    return row, values.zone


def node_states(session, since=None):
    """What the scheduler's host-state cache needs, as plain values:

    nodes        [[value in COLUMNS order]]: every live node when `since`
                 (a previous answer's "now") is None, else those changed
    gone         ids of the nodes deleted since
    zones        [[service id, its zone or ""]] of the services of `nodes`
    unavailable  [[service id, up, disabled]] of every service down or
                 disabled (a node without a service is both)
    aggregates   {"zones", "metadata"} of the hosts, when read in full
                 or changed since, else None.

    Each query reads one table, without a join: the changed nodes are
    few, and so are the services down or disabled."""
    now = utcnow()
    up_after = now - datetime.timedelta(seconds=get_settings().service_down_time)
    query = select(*_SELECT).order_by(_N.id)
    if since is None:
        query = query.where(_N.deleted == 0)
    else:
        since = datetime.datetime.fromisoformat(since)
        query = query.where(_changed(_N, since))
    nodes, gone, zones = [], [], {}
    for values in session.execute(query):
        if values.deleted:
            gone.append(values.id)
            continue
        row, zone = _row(values)
        nodes.append(row)
        if zone is not None:
            zones[row[-1]] = zone
    down = session.execute(select(_S.id, _S.disabled, _S.forced_down, _S.last_seen_up).where(
        _S.deleted == 0, or_(_S.disabled == true(), _S.forced_down == true(), _S.last_seen_up.is_(None),
            _S.last_seen_up < up_after)))
    read_aggregates = since is None or session.execute(
        select(Aggregate.id).where(_changed(Aggregate, since)).limit(1)).first() is not None
    return {"now": now.isoformat(), "columns": list(COLUMNS), "nodes": nodes, "gone": gone,
            "zones": [[svc_id, zone] for svc_id, zone in zones.items()],
            "unavailable": [[svc.id, convert.service_is_up(svc, now), bool(svc.disabled)]
                            for svc in down],
            "aggregates": {"zones": aggregates.host_zones(session),
                           "metadata": aggregates.host_metadata(session)}
            if read_aggregates else None}
