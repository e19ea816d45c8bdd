"""The conductor's side of server groups: the os-server-groups endpoints
(one short transaction per call, wire objects out), and what the build
orchestration needs of a group."""
from stratus.conductor import convert
from stratus.conductor.db import groups
from stratus.conductor.db.session import transaction
from stratus.common.endpoint import endpoint


class ServerGroups:
    """Create, read and delete server groups."""

    @endpoint(since="1.1")
    def instance_group_create(self, ctxt, values):
        with transaction() as session:
            return convert.instance_group(groups.group_create(session, values), [])

    @endpoint(since="1.1")
    def instance_group_get(self, ctxt, group_uuid):
        with transaction() as session:
            row = groups.group_get(session, group_uuid)
            return convert.instance_group(row, groups.members(session, [row.id])[row.id])

    @endpoint(since="1.1")
    def instance_group_get_all(self, ctxt, project_id=None):
        with transaction() as session:
            rows = groups.group_get_all(session, project_id)
            members = groups.members(session, [row.id for row in rows])
            return [convert.instance_group(row, members[row.id]) for row in rows]

    @endpoint(since="1.1")
    def instance_group_delete(self, ctxt, group_uuid):
        with transaction() as session:
            groups.group_delete(session, group_uuid)


def with_member_hosts(request_spec, instance_uuid):
    """The request spec with its group's other members' hosts as they are
    now, read right before scheduling so that builds placed since the API
    call (concurrent members included) count; the group is dropped from
    the spec when it has been deleted."""
    wanted = request_spec.get("group")
    if not wanted:
        return request_spec
    with transaction() as session:
        group = groups.spec_for(session, wanted["uuid"], instance_uuid)
    return dict(request_spec, group=group)


def group_of(request_spec):
    """The uuid a claim for this request carries: its group's, when the
    policy is a hard one that the claim must keep."""
    group = request_spec.get("group") or {}
    return group.get("uuid") if group.get("policy") in groups.HARD_POLICIES else None
