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
from stratus.conductor.db import aggregates
from stratus.conductor.db.models import Aggregate, ComputeNode, Service

# Longer than a transaction holding a claim stays open, plus the clock
# skew between conductors.
OVERLAP = datetime.timedelta(seconds=5)

# The order of each node's values; what the scheduler's HostState reads.
COLUMNS = ("id", "uuid", "host", "hypervisor_hostname", "hypervisor_type",
           "hypervisor_version", "vcpus", "memory_mb", "local_gb", "vcpus_used",
           "memory_mb_used", "local_gb_used", "running_vms", "cpu_allocation_ratio",
           "ram_allocation_ratio", "disk_allocation_ratio", "host_ip", "service_id",
           "service_zone", "service_up", "service_disabled")

_N, _S = ComputeNode, Service
_SELECT = (_N.id, _N.uuid, _N.host, _N.hypervisor_hostname, _N.hypervisor_type,
           _N.hypervisor_version, _N.vcpus, _N.memory_mb, _N.local_gb, _N.vcpus_used,
           _N.memory_mb_used, _N.local_gb_used, _N.running_vms, _N.cpu_allocation_ratio,
           _N.ram_allocation_ratio, _N.disk_allocation_ratio, _N.host_ip, _N.service_id,
           _N.reserved_host_memory_mb, _N.reserved_host_disk_mb, _N.deleted,
           _S.id, _S.availability_zone, _S.disabled, _S.forced_down, _S.last_seen_up)


def _changed(column, since):
    return func.coalesce(column.updated_at, column.created_at) >= since - OVERLAP


def _row(values, up_after):
    """One node's values in COLUMNS order (convert.compute_node's
    arithmetic: reserved room folded into the totals)."""
    (*head, reserved_mb, reserved_disk_mb, _deleted, svc_id, zone, disabled, forced_down,
     seen) = values
    head[7] -= reserved_mb or 0
    head[8] -= -(-(reserved_disk_mb or 0) // 1024)
    up = svc_id is not None and not forced_down and seen is not None and seen >= up_after
    return head + [zone if svc_id is not None else "nova", up,
                   bool(disabled) if svc_id is not None else True]


def node_states(session, since=None):
    """{"now", "columns", "nodes", "gone", "unavailable", "aggregates"}:
    every live node when `since` (a previous answer's "now") is None,
    else the nodes changed since then and the ids of those deleted;
    `unavailable` [[id, up, disabled]] of every node whose service is
    down or disabled; `aggregates` {"zones", "metadata"} of the hosts
    when read in full or changed, else None."""
    now = utcnow()
    up_after = now - datetime.timedelta(seconds=get_settings().service_down_time)
    query = select(*_SELECT).outerjoin(_S, _N.service_id == _S.id).order_by(_N.id)
    if since is None:
        query = query.where(_N.deleted == 0)
    else:
        since = datetime.datetime.fromisoformat(since)
        query = query.where(_changed(_N, since))
    nodes, gone = [], []
    for values in session.execute(query):
        if values.deleted:
            gone.append(values.id)
        else:
            nodes.append(_row(list(values), up_after))
    down = session.execute(
        select(_N.id, _S.id, _S.disabled, _S.forced_down, _S.last_seen_up)
        .outerjoin(_S, _N.service_id == _S.id)
        .where(_N.deleted == 0, or_(_S.id.is_(None), _S.disabled == true(),
                                    _S.forced_down == true(), _S.last_seen_up.is_(None),
                                    _S.last_seen_up < up_after)))
    unavailable = [[node_id, bool(svc_id and not forced and seen is not None
                                  and seen >= up_after),
                    bool(disabled) if svc_id else True]
                   for node_id, svc_id, disabled, forced, seen in down]
    read_aggregates = since is None or session.execute(
        select(Aggregate.id).where(_changed(Aggregate, since)).limit(1)).first() is not None
    return {"now": now.isoformat(), "columns": list(COLUMNS), "nodes": nodes, "gone": gone,
            "unavailable": unavailable,
            "aggregates": {"zones": aggregates.host_zones(session),
                           "metadata": aggregates.host_metadata(session)}
            if read_aggregates else None}
