"""Services, compute nodes and resource claims.

A claim is a row in resource_claims plus a conditional update of the
node's usage, in one transaction: the UPDATE only matches while the
claim still fits, so two schedulers racing for the last slot cannot both
win (the database serialises the row)."""
import uuid as uuidlib

from sqlalchemy import bindparam, func, insert, or_, select, update

from stratus.common import exception
from stratus.common.integers import is_integer_id
from stratus.conductor.db import groups
from stratus.conductor.db.models import ComputeNode, Instance, ResourceClaim, Service
from stratus.common.timeutils import utcnow
from stratus.common.vocabulary import ServiceBinary

COMPUTE_BINARY = ServiceBinary.COMPUTE


def service_update(session, host, binary, topic, availability_zone=None):
    """A heartbeat: the (host, binary) service's row, created at the first."""
    binary = ServiceBinary.FORMER.get(binary, binary)
    row = session.scalars(select(Service).where(
        Service.host == host, Service.binary == binary, Service.deleted == 0)).first()
    if row is None:
        row = Service(uuid=str(uuidlib.uuid4()), host=host, binary=binary, topic=topic,
                      report_count=0)
        session.add(row)
    row.topic = topic
    if availability_zone and availability_zone != row.availability_zone:
        row.availability_zone = availability_zone
        if row.id is not None and binary == COMPUTE_BINARY:
            # The nodes carry the zone: the scheduler's changed-since read
            # (node_states) must see them again.
            session.execute(update(ComputeNode).where(
                ComputeNode.service_id == row.id, ComputeNode.deleted == 0)
                .values(updated_at=utcnow()).execution_options(synchronize_session=False))
    row.report_count = (row.report_count or 0) + 1
    row.last_seen_up = utcnow()
    session.flush()
    return row


def compute_service(session, host):
    """The compute service row of a host, or None."""
    return session.scalars(select(Service).where(
        Service.host == host, Service.binary == COMPUTE_BINARY, Service.deleted == 0)).first()


def service_get_all(session, binary=None):
    query = select(Service).where(Service.deleted == 0).order_by(Service.id)
    if binary:
        query = query.where(Service.binary == binary)
    return list(session.scalars(query))


_NODE_TOTALS = ("vcpus", "memory_mb", "local_gb", "hypervisor_type", "hypervisor_version",
                "host_ip", "cpu_allocation_ratio", "ram_allocation_ratio",
                "disk_allocation_ratio", "reserved_host_memory_mb", "reserved_host_disk_mb")


def compute_node_update(session, host, nodename, resources):
    """Totals come from the hypervisor; *_used belongs to the claims."""
    row = session.scalars(select(ComputeNode).where(
        ComputeNode.host == host, ComputeNode.hypervisor_hostname == nodename,
        ComputeNode.deleted == 0)).first()
    if row is None:
        row = ComputeNode(uuid=str(uuidlib.uuid4()), host=host, hypervisor_hostname=nodename)
        session.add(row)
    for key in _NODE_TOTALS:
        if key in resources:
            setattr(row, key, resources[key])
    service = compute_service(session, host)
    row.service_id = service.id if service else row.service_id
    session.flush()
    return row


def compute_nodes_with_services(session):
    query = (select(ComputeNode, Service)
             .outerjoin(Service, ComputeNode.service_id == Service.id)
             .where(ComputeNode.deleted == 0).order_by(ComputeNode.id))
    return list(session.execute(query))


def compute_node_get(session, node_id):
    row = session.execute(
        select(ComputeNode, Service).outerjoin(Service, ComputeNode.service_id == Service.id)
        .where(ComputeNode.id == node_id, ComputeNode.deleted == 0)).first()
    if row is None:
        raise exception.ComputeHostNotFound(host=node_id)
    return row


def _claim_statements():
    """The claim's statements, built once: constructing the expressions
    cost more than running them (bind values per call)."""
    # On the tables, not the models: Core statements skip the ORM's
    # compile and execution layers.
    n, c = ComputeNode.__table__.c, ResourceClaim.__table__
    # Not named after the columns: those names are the SET clause's own.
    vcpus, memory_mb, disk_gb = (bindparam("need_vcpus"), bindparam("need_memory_mb"),
                                 bindparam("need_disk_gb"))
    held = select(c.c.id).where(c.c.instance_uuid == bindparam("instance_uuid"),
                                c.c.compute_node_id == bindparam("node_id")).limit(1)
    fits = (update(ComputeNode.__table__).where(
        n.id == bindparam("node_id"), n.deleted == 0,
        n.vcpus_used + vcpus <= n.vcpus * n.cpu_allocation_ratio,
        n.memory_mb_used + memory_mb <= (n.memory_mb - n.reserved_host_memory_mb) * n.ram_allocation_ratio,
        n.local_gb_used + disk_gb <= (n.local_gb - n.reserved_host_disk_mb / 1024.0) * n.disk_allocation_ratio,
    ).values(vcpus_used=n.vcpus_used + vcpus, memory_mb_used=n.memory_mb_used + memory_mb,
             local_gb_used=n.local_gb_used + disk_gb, running_vms=n.running_vms + 1))
    # The room taken only if this instance holds none there yet: the held
    # check in the UPDATE itself, a statement less than looking first.
    return held, fits.where(~held.exists()), insert(c)


_HELD, _FITS, _RECORD = _claim_statements()


def claim(session, instance_uuid, node_id, vcpus, memory_mb, disk_gb, group=None):
    """True when the room was taken (or was already held by this instance).
    With `group` (a server group's uuid) the claim also keeps that group's
    hard policy, or raises GroupAffinityViolation (see groups.check_claim)."""
    keys = {"instance_uuid": instance_uuid, "node_id": node_id}
    # A group's policy is checked only for room not held yet.
    if group:
        if session.execute(_HELD, keys).first():
            return True
        groups.check_claim(session, group, instance_uuid, node_id)
    needs = {"need_vcpus": vcpus, "need_memory_mb": memory_mb, "need_disk_gb": disk_gb}
    if session.execute(_FITS, {**keys, **needs}).rowcount != 1:
        # Full, or held already (a second delivery).
        return session.execute(_HELD, keys).first() is not None
    session.execute(_RECORD, {"instance_uuid": instance_uuid, "compute_node_id": node_id,
                              "vcpus": vcpus, "memory_mb": memory_mb, "disk_gb": disk_gb})
    return True


def release(session, instance_uuid, node_id=None):
    """Give back the instance's claims; a claim already gone is skipped, so
    two releases never subtract twice."""
    query = select(ResourceClaim).where(ResourceClaim.instance_uuid == instance_uuid)
    if node_id is not None:
        query = query.where(ResourceClaim.compute_node_id == node_id)
    released = 0
    for held in session.scalars(query).all():
        gone = session.execute(ResourceClaim.__table__.delete().where(
            ResourceClaim.__table__.c.id == held.id)).rowcount
        if gone != 1:
            continue
        n = ComputeNode
        session.execute(update(n).where(n.id == held.compute_node_id).values(
            vcpus_used=n.vcpus_used - held.vcpus, memory_mb_used=n.memory_mb_used - held.memory_mb,
            local_gb_used=n.local_gb_used - held.disk_gb, running_vms=n.running_vms - 1)
            .execution_options(synchronize_session=False))
        released += 1
    return released


def hand_over(session, from_consumer, to_consumer, node_id):
    """Give the room `from_consumer` holds on a node to `to_consumer` (a
    resize's source room goes to its migration, and back on a revert, as
    Nova moves allocations); how many claims changed hands (0 or 1)."""
    return session.execute(update(ResourceClaim).where(
        ResourceClaim.instance_uuid == from_consumer,
        ResourceClaim.compute_node_id == node_id).values(instance_uuid=to_consumer)
        .execution_options(synchronize_session=False)).rowcount


# operator updates of services (os-services)
_SETTABLE = ("disabled", "disabled_reason", "forced_down")


def service_get(session, service_id):
    """A live service by id or uuid."""
    if is_integer_id(service_id):
        match = Service.id == int(service_id)
    else:
        match = Service.uuid == str(service_id)
    row = session.scalars(select(Service).where(match, Service.deleted == 0)).first()
    if row is None:
        raise exception.ServiceNotFound(service_id=service_id)
    return row


def service_save(session, service_id, values):
    """Set disabled, disabled_reason and forced_down; a heartbeat never
    touches them, so they hold until an operator changes them."""
    row = service_get(session, service_id)
    for key in _SETTABLE:
        if key in values:
            setattr(row, key, values[key])
    session.flush()
    return row


def service_destroy(session, service_id):
    """Soft-delete a service and, for a compute service, its nodes, so the
    scheduler stops seeing them. Refused while the host has instances or
    room held for one being placed (Nova's 409)."""
    row = service_get(session, service_id)
    if row.binary == COMPUTE_BINARY:
        nodes = list(session.scalars(select(ComputeNode).where(
            or_(ComputeNode.service_id == row.id, ComputeNode.host == row.host),
            ComputeNode.deleted == 0)))
        if _hosts_instances(session, row.host, [n.id for n in nodes]):
            raise exception.Conflict("Unable to delete compute service that is hosting "
                                     "instances. Migrate or delete the instances first.")
        for node in nodes:
            node.deleted = node.id
    row.deleted = row.id
    session.flush()


def _hosts_instances(session, host, node_ids):
    instances = session.scalar(select(func.count(Instance.id)).where(
        Instance.host == host, Instance.deleted == 0))
    claims = session.scalar(select(func.count(ResourceClaim.id)).where(
        ResourceClaim.compute_node_id.in_(node_ids))) if node_ids else 0
    return instances or claims
