"""Server groups (Nova's instance groups): the groups, their members, and
the hosts those members hold, by which the scheduler's filters and the
conductor's claims judge a host.

A group's row is also its lock: a transaction that counts members (to
add one, or to claim room for one) first UPDATEs the row, so two such
transactions on one group run one after the other (a row lock on
PostgreSQL, the write lock on SQLite) and the second counts what the
first committed."""
import collections
import uuid as uuidlib

from sqlalchemy import delete, func, select, update

from stratus.common import exception
from stratus.conductor.db import quotas
from stratus.conductor.db.models import (ComputeNode, Instance, InstanceGroup,
                                         InstanceGroupMember, ResourceClaim)
from stratus.common.timeutils import utcnow

HARD_POLICIES = ("affinity", "anti-affinity")


def group_create(session, values):
    """A new group; refused over the project's quota of server groups
    (counted under the project's lock, so concurrent creates cannot overrun it)."""
    project_id = values["project_id"]
    quotas.lock_project(session, project_id)
    limit = quotas.limits(session, project_id)["server_groups"]
    count = session.scalar(select(func.count(InstanceGroup.id)).where(
        InstanceGroup.project_id == project_id, InstanceGroup.deleted == 0))
    if 0 <= limit < count + 1:
        raise exception.ServerGroupLimitExceeded()
    row = InstanceGroup(uuid=str(uuidlib.uuid4()), name=values["name"], project_id=project_id,
                        user_id=values["user_id"], policy=values["policy"],
                        rules=dict(values.get("rules") or {}))
    session.add(row)
    session.flush()
    return row


def group_get(session, group_uuid):
    row = session.scalars(select(InstanceGroup).where(
        InstanceGroup.uuid == group_uuid, InstanceGroup.deleted == 0)).first()
    if row is None:
        raise exception.InstanceGroupNotFound(group_uuid=group_uuid)
    return row


def group_get_all(session, project_id=None):
    """The live groups of a project (None: of every project), oldest first."""
    query = select(InstanceGroup).where(InstanceGroup.deleted == 0).order_by(InstanceGroup.id)
    if project_id is not None:
        query = query.where(InstanceGroup.project_id == project_id)
    return list(session.scalars(query))


def group_delete(session, group_uuid):
    """Soft-delete the group and forget its members; the servers stay (as Nova)."""
    row = _lock(session, group_uuid)
    if row is None:
        raise exception.InstanceGroupNotFound(group_uuid=group_uuid)
    session.execute(delete(InstanceGroupMember).where(InstanceGroupMember.group_id == row.id))
    row.deleted = row.id
    session.flush()


def members(session, group_ids):
    """{group id: [instance uuid]} of the members not deleted, in joining order."""
    found = {group_id: [] for group_id in group_ids}
    rows = session.execute(
        select(InstanceGroupMember.group_id, InstanceGroupMember.instance_uuid)
        .join(Instance, Instance.uuid == InstanceGroupMember.instance_uuid)
        .where(InstanceGroupMember.group_id.in_(list(group_ids)), Instance.deleted == 0)
        .order_by(InstanceGroupMember.id))
    for group_id, instance_uuid in rows:
        found[group_id].append(instance_uuid)
    return found


def add_member(session, request_spec, instance):
    """Make a new instance a member of the group its request names, if
    any, within Nova's server_group_members quota, counted under the
    group's lock (a multi-create adds its members in one transaction, so
    one over the quota refuses them all)."""
    wanted = (request_spec or {}).get("group")
    if not wanted:
        return
    row = _lock(session, wanted["uuid"])
    if row is None:
        # Deleted since the API looked it up; Nova answers such hints 400.
        raise exception.Invalid(f"Instance group {wanted['uuid']} could not be found.")
    limit = quotas.limits(session, row.project_id)["server_group_members"]
    if 0 <= limit < _count_members(session, row.id, instance.user_id) + 1:
        raise exception.GroupMemberLimitExceeded()
    session.add(InstanceGroupMember(group_id=row.id, instance_uuid=instance.uuid))
    session.flush()


def remove_member(session, instance_uuid):
    """A deleted instance leaves its group (and stops counting against it)."""
    session.execute(delete(InstanceGroupMember).where(
        InstanceGroupMember.instance_uuid == instance_uuid))


def spec_for(session, group_uuid, instance_uuid):
    """The group as the scheduler reads it: policy, rules, and {host:
    members there} of its members other than `instance_uuid`; None when
    the group is gone (the instance is then placed without a policy)."""
    row = session.scalars(select(InstanceGroup).where(
        InstanceGroup.uuid == group_uuid, InstanceGroup.deleted == 0)).first()
    if row is None:
        return None
    return {"uuid": row.uuid, "policy": row.policy, "rules": dict(row.rules or {}),
            "hosts": member_hosts(session, row.id, instance_uuid)}


def member_hosts(session, group_id, exclude_uuid):
    """{host: count} of the group's members other than `exclude_uuid`. A
    member is on a host when it holds a claim on one of its nodes (so
    builds still being placed count) or its instance names the host."""
    member = InstanceGroupMember
    claimed = (select(ComputeNode.host, member.instance_uuid)
               .join(ResourceClaim, ResourceClaim.instance_uuid == member.instance_uuid)
               .join(ComputeNode, ComputeNode.id == ResourceClaim.compute_node_id)
               .where(member.group_id == group_id, member.instance_uuid != exclude_uuid))
    placed = (select(Instance.host, member.instance_uuid)
              .join(Instance, Instance.uuid == member.instance_uuid)
              .where(member.group_id == group_id, member.instance_uuid != exclude_uuid,
                     Instance.deleted == 0, Instance.host.is_not(None)))
    pairs = {tuple(row) for row in session.execute(claimed)}
    pairs |= {tuple(row) for row in session.execute(placed)}
    return dict(collections.Counter(host for host, _ in pairs))


def check_claim(session, group_uuid, instance_uuid, node_id):
    """Raise GroupAffinityViolation when a claim for `instance_uuid` on
    `node_id` would break its group's hard policy.

    The scheduler's filters judged the host on a snapshot; two members
    scheduled on the same snapshot could both pick one host. Locking the
    group first makes their claims run one at a time, each seeing the
    other's committed claim. Nova checks late instead, on the compute host
    (validate_instance_group_policy), and reschedules; here the claim is
    the check, so a build never starts on a host that breaks the policy."""
    row = session.scalars(select(InstanceGroup).where(
        InstanceGroup.uuid == group_uuid, InstanceGroup.deleted == 0)).first()
    if row is None or row.policy not in HARD_POLICIES:
        return
    row = _lock(session, group_uuid)
    host = session.scalar(select(ComputeNode.host).where(ComputeNode.id == node_id))
    if row is None or host is None:
        return  # the group is gone; or the node is, and the claim fails on its own
    others = member_hosts(session, row.id, instance_uuid)
    if row.policy == "anti-affinity":
        most = int((row.rules or {}).get("max_server_per_host", 1))
        if others.get(host, 0) >= most:
            raise exception.GroupAffinityViolation(
                f"anti-affinity group {row.uuid} already has {others[host]} member(s) on "
                f"{host} (max_server_per_host {most})")
    elif others and host not in others:
        raise exception.GroupAffinityViolation(
            f"affinity group {row.uuid} has its members on {', '.join(sorted(others))}, "
            f"not on {host}")


def _lock(session, group_uuid):
    """Lock a live group's row until commit; the row, or None when gone."""
    locked = session.execute(
        update(InstanceGroup).where(InstanceGroup.uuid == group_uuid, InstanceGroup.deleted == 0)
        .values(updated_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    return group_get(session, group_uuid) if locked else None


def _count_members(session, group_id, user_id):
    """Live members of the group that belong to `user_id` (Nova counts this
    quota per user)."""
    return session.scalar(
        select(func.count(InstanceGroupMember.id))
        .join(Instance, Instance.uuid == InstanceGroupMember.instance_uuid)
        .where(InstanceGroupMember.group_id == group_id, Instance.deleted == 0,
               Instance.user_id == user_id))
