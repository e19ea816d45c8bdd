"""Server groups in the conductor: quotas, members, member hosts, and the
claim that keeps a hard policy under the group's lock."""
import threading
import uuid

import pytest

from stratus import config
from stratus.common import exception
from stratus.conductor.rpcapi import ConductorAPI
from stratus.scheduler.manager import SchedulerManager


@pytest.fixture
def api(db):
    from stratus.common.celeryapp import load_roles

    load_roles("conductor")
    return ConductorAPI()


@pytest.fixture
def quota(monkeypatch):
    """quota(server_groups=1) for one test."""
    def override(**values):
        for name, value in values.items():
            monkeypatch.setenv(f"STRATUS_QUOTA_{name.upper()}", str(value))
        config.reset_settings()

    yield override
    monkeypatch.undo()
    config.reset_settings()


def _group(api, ctxt, policy="anti-affinity", **rules):
    return api.instance_group_create(ctxt, {"name": "g", "project_id": ctxt.project_id,
                                            "user_id": ctxt.user_id, "policy": policy,
                                            "rules": rules})


def _node(api, ctxt, host):
    api.service_update(ctxt, host, "nova-compute", f"compute.{host}")
    return api.compute_node_update(ctxt, host, host, {
        "vcpus": 8, "memory_mb": 8192, "local_gb": 80, "hypervisor_type": "TEST",
        "hypervisor_version": 1})


def _member(ctxt, group_uuid, host=None):
    """An instance recorded as the conductor's create does, in the group."""
    from stratus.conductor.db import groups, instances
    from stratus.conductor.db.session import transaction

    with transaction() as session:
        row = instances.instance_create(session, {
            "uuid": str(uuid.uuid4()), "display_name": "vm", "project_id": ctxt.project_id,
            "user_id": ctxt.user_id, "vm_state": "building", "host": host})
        groups.add_member(session, {"group": {"uuid": group_uuid}}, row)
        return row.uuid


def _claim(api, ctxt, instance_uuid, node, group):
    return api.claim_resources(ctxt, instance_uuid, node.id, 1, 512, 1, group=group)


def test_create_get_list_and_delete(api, ctxt):
    group = _group(api, ctxt, max_server_per_host=2)
    assert (group.policy, group.rules, group.members) == ("anti-affinity",
                                                         {"max_server_per_host": 2}, [])
    assert api.instance_group_get(ctxt, group.uuid).uuid == group.uuid
    assert [g.uuid for g in api.instance_group_get_all(ctxt, project_id=ctxt.project_id)] == [
        group.uuid]
    assert api.instance_group_get_all(ctxt, project_id="other") == []
    api.instance_group_delete(ctxt, group.uuid)
    with pytest.raises(exception.InstanceGroupNotFound):
        api.instance_group_get(ctxt, group.uuid)
    with pytest.raises(exception.InstanceGroupNotFound):
        api.instance_group_delete(ctxt, group.uuid)


def test_server_groups_quota(api, ctxt, quota):
    quota(server_groups=2)
    _group(api, ctxt)
    doomed = _group(api, ctxt)
    with pytest.raises(exception.ServerGroupLimitExceeded) as caught:
        _group(api, ctxt)
    assert caught.value.message == "Quota exceeded, too many server groups."
    api.instance_group_delete(ctxt, doomed.uuid)
    _group(api, ctxt)  # a deleted group frees its place


def test_members_are_the_live_instances(api, ctxt):
    group = _group(api, ctxt)
    first, second = _member(ctxt, group.uuid), _member(ctxt, group.uuid)
    assert api.instance_group_get(ctxt, group.uuid).members == [first, second]
    api.instance_destroy(ctxt, first)
    assert api.instance_group_get(ctxt, group.uuid).members == [second]
    api.instance_group_delete(ctxt, group.uuid)
    assert api.instance_get(ctxt, second).vm_state == "building"  # members stay


def test_server_group_members_quota(api, ctxt, quota):
    quota(server_group_members=2)
    group = _group(api, ctxt)
    doomed = _member(ctxt, group.uuid)
    _member(ctxt, group.uuid)
    with pytest.raises(exception.GroupMemberLimitExceeded) as caught:
        _member(ctxt, group.uuid)
    assert caught.value.code == 403
    assert caught.value.message == "Quota exceeded, too many servers in group"
    api.instance_destroy(ctxt, doomed)
    _member(ctxt, group.uuid)


def test_joining_a_deleted_group_is_invalid(api, ctxt):
    group = _group(api, ctxt)
    api.instance_group_delete(ctxt, group.uuid)
    with pytest.raises(exception.Invalid, match="could not be found"):
        _member(ctxt, group.uuid)


def test_member_hosts_count_claims_and_hosts(api, ctxt):
    from stratus.conductor.server_groups import with_member_hosts

    group = _group(api, ctxt)
    node_a, _ = _node(api, ctxt, "ha"), _node(api, ctxt, "hb")
    claimed, _, building = (_member(ctxt, group.uuid), _member(ctxt, group.uuid, host="hb"),
                            _member(ctxt, group.uuid))
    assert _claim(api, ctxt, claimed, node_a, group.uuid)
    spec = with_member_hosts({"group": {"uuid": group.uuid}}, building)
    assert spec["group"] == {"uuid": group.uuid, "policy": "anti-affinity", "rules": {},
                             "hosts": {"ha": 1, "hb": 1}}
    # The instance being scheduled is not its own neighbour.
    assert with_member_hosts({"group": {"uuid": group.uuid}}, claimed)["group"]["hosts"] == {
        "hb": 1}
    api.instance_group_delete(ctxt, group.uuid)
    assert with_member_hosts({"group": {"uuid": group.uuid}}, building)["group"] is None


def test_second_member_claim_on_one_host_is_refused(api, ctxt):
    group = _group(api, ctxt)
    node = _node(api, ctxt, "ha")
    first, second = _member(ctxt, group.uuid), _member(ctxt, group.uuid)
    assert _claim(api, ctxt, first, node, group.uuid)
    with pytest.raises(exception.GroupAffinityViolation, match="already has 1 member"):
        _claim(api, ctxt, second, node, group.uuid)
    assert api.compute_node_get(ctxt, node.id).running_vms == 1
    assert _claim(api, ctxt, first, node, group.uuid)  # a repeated claim stays idempotent
    # Without the group (an older scheduler) the claim is about room only.
    assert api.claim_resources(ctxt, second, node.id, 1, 512, 1)


def test_max_server_per_host_and_affinity_claims(api, ctxt):
    spread = _group(api, ctxt, max_server_per_host=2)
    together = _group(api, ctxt, policy="affinity")
    node_a, node_b = _node(api, ctxt, "ha"), _node(api, ctxt, "hb")
    members = [_member(ctxt, spread.uuid) for _ in range(3)]
    assert _claim(api, ctxt, members[0], node_a, spread.uuid)
    assert _claim(api, ctxt, members[1], node_a, spread.uuid)
    with pytest.raises(exception.GroupAffinityViolation):
        _claim(api, ctxt, members[2], node_a, spread.uuid)
    pair = [_member(ctxt, together.uuid) for _ in range(2)]
    assert _claim(api, ctxt, pair[0], node_b, together.uuid)
    with pytest.raises(exception.GroupAffinityViolation, match="has its members on hb"):
        _claim(api, ctxt, pair[1], node_a, together.uuid)
    assert _claim(api, ctxt, pair[1], node_b, together.uuid)


def test_concurrent_member_claims_on_one_host_take_it_once(api, ctxt):
    group = _group(api, ctxt)
    node = _node(api, ctxt, "ha")
    members = [_member(ctxt, group.uuid) for _ in range(4)]
    start, outcomes = threading.Barrier(len(members)), []

    def claim(instance_uuid):
        start.wait()
        try:
            outcomes.append(_claim(api, ctxt, instance_uuid, node, group.uuid))
        except exception.GroupAffinityViolation:
            outcomes.append("refused")

    threads = [threading.Thread(target=claim, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(map(str, outcomes)) == ["True", "refused", "refused", "refused"]
    assert api.compute_node_get(ctxt, node.id).running_vms == 1


def test_schedulers_on_one_snapshot_place_members_apart(api, ctxt):
    """Both builds see a group with no member anywhere (the conductor read
    it before either claimed) and the same hosts: the claim keeps them apart,
    and the third finds every claim refused and says by whom."""
    group = _group(api, ctxt)
    _node(api, ctxt, "ha"), _node(api, ctxt, "hb")
    flavor = api.flavor_create(ctxt, {"name": "tiny", "vcpus": 1, "memory_mb": 64,
                                      "root_gb": 1})
    spec = {"flavor": flavor, "project_id": ctxt.project_id, "num_instances": 1,
            "group": {"uuid": group.uuid, "policy": "anti-affinity", "rules": {}, "hosts": {}}}
    schedulers = [SchedulerManager(conductor_api=api) for _ in range(3)]
    for scheduler in schedulers:
        scheduler.host_states.get(ctxt, api)  # every snapshot read before any claim
    members = [_member(ctxt, group.uuid) for _ in range(3)]
    placed = [schedulers[i].select_destinations(ctxt, spec, [members[i]])[0][0].host
              for i in range(2)]
    assert sorted(placed) == ["ha", "hb"]
    with pytest.raises(exception.NoValidHost) as caught:
        schedulers[2].select_destinations(ctxt, spec, [members[2]])
    assert f"by anti-affinity group {group.uuid}" in caught.value.message


class _Compute:
    """Records the builds the conductor sends."""

    def __init__(self):
        self.builds = []

    def build_and_run_instance(self, ctxt, host, instance, request_spec, alternates):
        self.builds.append((host, instance.uuid))


def _failed_build(api, ctxt, group_uuid):
    """A member handed back by host `hx` for a reschedule."""
    from stratus.conductor.db import instances
    from stratus.conductor.db.session import transaction

    member = _member(ctxt, group_uuid, host="hx")
    with transaction() as session:
        instances.instance_update(session, member, {"task_state": "scheduling"})
    return member


def test_reschedule_claims_keep_the_group_policy(api, ctxt):
    from stratus.conductor.manager import ComputeTaskManager
    from stratus.common.objects import Selection

    group = _group(api, ctxt)
    node_a, node_b = _node(api, ctxt, "ha"), _node(api, ctxt, "hb")
    assert _claim(api, ctxt, _member(ctxt, group.uuid), node_a, group.uuid)
    flavor = api.flavor_create(ctxt, {"name": "tiny", "vcpus": 1, "memory_mb": 64,
                                      "root_gb": 1})
    spec = {"flavor": flavor, "group": {"uuid": group.uuid, "policy": "anti-affinity"}}
    alternates = [Selection(host=n.host, nodename=n.hypervisor_hostname, compute_node_id=n.id)
                  for n in (node_a, node_b)]
    compute = _Compute()
    build = ComputeTaskManager(scheduler_api=object(), compute_api=compute).build
    moved = _failed_build(api, ctxt, group.uuid)
    build.reschedule_instance(ctxt, moved, spec, alternates, "hx", "boom")
    assert compute.builds == [("hb", moved)]
    # A third member finds both alternates taken by the group.
    stuck = _failed_build(api, ctxt, group.uuid)
    build.reschedule_instance(ctxt, stuck, spec, alternates, "hx", "boom")
    instance = api.instance_get(ctxt, stuck)
    assert instance.vm_state == "error" and len(compute.builds) == 1
    assert instance.fault["details"].startswith("Last failure on hx: boom; anti-affinity group")
