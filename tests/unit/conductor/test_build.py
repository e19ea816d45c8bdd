"""The build orchestration on the eager stack (local mode): scheduling,
reschedules onto alternates, and the faults of a failed build."""
import uuid

import pytest

from stratus import config
from stratus.conductor.rpcapi import ComputeTaskAPI, ConductorAPI
from stratus.common.context import get_admin_context


@pytest.fixture
def cloud(db, roles, tmp_path, monkeypatch):
    """Three hosts on libvirt's test driver; the image file is on none of
    them unless a test puts it there, so every spawn fails by default."""
    from stratus.compute import service

    monkeypatch.setenv("STRATUS_IMAGES_PATH", str(tmp_path / "images"))
    monkeypatch.setenv("STRATUS_INSTANCES_PATH", str(tmp_path / "instances"))
    monkeypatch.setenv("STRATUS_MAX_ATTEMPTS", "3")
    # Flavors bigger than any host must reach the scheduler, not the quota.
    monkeypatch.setenv("STRATUS_QUOTA_CORES", "-1")
    config.reset_settings()
    (tmp_path / "images").mkdir()
    reporters = service.start_compute(["b1", "b2", "b3", "b4"], "test:///default",
                                      periodic=False)
    yield tmp_path / "images"
    service.stop_compute(reporters)
    monkeypatch.undo()
    config.reset_settings()


def _boot(ctxt, vcpus=1, name=None):
    api = ConductorAPI()
    flavor = api.flavor_create(ctxt, {"name": name or f"f{vcpus}", "vcpus": vcpus, "memory_mb": 64,
                                      "root_gb": 1})
    image = api.image_create(ctxt, {"name": "img", "file": "img.raw"})
    values = {"uuid": str(uuid.uuid4()), "display_name": "vm", "project_id": ctxt.project_id,
              "user_id": ctxt.user_id, "vm_state": "building", "task_state": "scheduling",
              "flavor": flavor, "vcpus": vcpus, "memory_mb": 64, "root_gb": 1}
    spec = {"flavor": flavor, "image": image, "availability_zone": None,
            "project_id": ctxt.project_id, "user_id": ctxt.user_id, "ignore_hosts": [],
            "force_hosts": [], "num_instances": 1}
    ComputeTaskAPI().create_instance(ctxt, values, spec)
    return api.instance_get(get_admin_context(), values["uuid"])


def _build_hosts(ctxt, instance_uuid):
    from sqlalchemy import select

    from stratus.conductor.db.models import InstanceAction, InstanceActionEvent
    from stratus.conductor.db.session import transaction

    with transaction() as session:
        rows = session.execute(
            select(InstanceActionEvent.host, InstanceActionEvent.result)
            .join(InstanceAction, InstanceAction.id == InstanceActionEvent.action_id)
            .where(InstanceAction.instance_uuid == instance_uuid,
                   InstanceActionEvent.event == "compute__do_build_and_run_instance")
            .order_by(InstanceActionEvent.id)).all()
    return [tuple(row) for row in rows]


def test_build_reaches_active(cloud, ctxt):
    (cloud / "img.raw").write_bytes(b"\0" * 512)
    instance = _boot(ctxt)
    assert (instance.vm_state, instance.task_state, instance.power_state) == ("active", None, 1)
    assert instance.host in {"b1", "b2", "b3", "b4"} and instance.launched_at


def test_failed_spawns_use_max_attempts_hosts_then_error(cloud, ctxt):
    instance = _boot(ctxt)
    assert (instance.vm_state, instance.task_state) == ("error", None)
    tried = _build_hosts(ctxt, instance.uuid)
    assert len(tried) == 3 and len({host for host, _ in tried}) == 3
    assert {result for _, result in tried} == {"Error"}
    assert "Exceeded maximum number of retries" in instance.fault["message"]
    assert "could not be found" in instance.fault["details"]  # the last host's reason
    node_usage = sum(n.vcpus_used for n in ConductorAPI().compute_node_get_all(ctxt))
    assert node_usage == 0  # every claim given back


def test_no_valid_host_is_an_error_with_the_reason(cloud, ctxt):
    (cloud / "img.raw").write_bytes(b"\0" * 512)
    instance = _boot(ctxt, vcpus=1000)
    assert instance.vm_state == "error"
    assert instance.fault["message"].startswith("No valid host was found. 0 of 4 hosts:")
    assert "CoreFilter removed 4 (needs 1000 vCPUs" in instance.fault["message"]


def test_a_boot_commits_once_per_step(cloud, ctxt):
    """One transaction for each step of a boot that must commit before a
    message: the records with the build's event started, the host's
    state read (scheduler), the claim with the hand-over to the host and
    the event's end, and the host's one save (active, with its event)."""
    from sqlalchemy import event

    from stratus.conductor.db.session import get_engine

    (cloud / "img.raw").write_bytes(b"\0" * 512)
    commits = []

    def listener(conn):
        commits.append(conn)

    event.listen(get_engine(), "commit", listener)
    try:
        instance = _boot(ctxt)
    finally:
        event.remove(get_engine(), "commit", listener)
    assert instance.vm_state == "active"
    # _boot's own: flavor_create, image_create, then the boot, then instance_get.
    assert len(commits) - 3 == 4
    events = _build_events(instance.uuid)
    assert events == [("conductor_schedule_and_build_instances", None, "Success"),
                      ("compute__do_build_and_run_instance", "b", "Success")]


def _build_events(instance_uuid):
    from sqlalchemy import select

    from stratus.conductor.db.models import InstanceAction, InstanceActionEvent
    from stratus.conductor.db.session import transaction

    with transaction() as session:
        rows = session.execute(
            select(InstanceActionEvent.event, InstanceActionEvent.host,
                   InstanceActionEvent.result, InstanceActionEvent.start_time,
                   InstanceActionEvent.finish_time)
            .join(InstanceAction, InstanceAction.id == InstanceActionEvent.action_id)
            .where(InstanceAction.instance_uuid == instance_uuid)
            .order_by(InstanceActionEvent.id)).all()
    assert all(row.start_time and row.finish_time for row in rows)
    return [(row.event, row.host and row.host[0], row.result) for row in rows]


def _fill_nodes(*hosts):
    """Another scheduler's boots took the vCPUs of these nodes (of all
    without `hosts`), in the database, not in this scheduler's cached
    host states."""
    from sqlalchemy import update

    from stratus.conductor.db.models import ComputeNode
    from stratus.conductor.db.session import transaction

    filled = update(ComputeNode).values(vcpus_used=ComputeNode.vcpus * 1000)
    with transaction() as session:
        session.execute(filled.where(ComputeNode.host.in_(hosts)) if hosts else filled)


def _recorded_select_hosts(monkeypatch):
    from stratus.scheduler.rpcapi import SchedulerAPI

    asked, real = [], SchedulerAPI.select_hosts

    def recording(self, ctxt, request_spec, instance_uuids, **kwargs):
        asked.append(kwargs.get("refresh"))
        return real(self, ctxt, request_spec, instance_uuids, **kwargs)

    monkeypatch.setattr(SchedulerAPI, "select_hosts", recording)
    return asked


def test_the_conductor_claims_the_host_the_scheduler_chose_as_it_records_it(
        cloud, ctxt, monkeypatch):
    from stratus.conductor.rpcapi import ConductorAPI as Conductor

    (cloud / "img.raw").write_bytes(b"\0" * 512)
    claims = []
    monkeypatch.setattr(Conductor, "claim_resources", lambda *a, **k: claims.append(a))
    asked = _recorded_select_hosts(monkeypatch)
    instance = _boot(ctxt)
    assert instance.vm_state == "active" and asked == [False]
    assert claims == []  # the scheduler claimed nothing
    nodes = {n.host: n.vcpus_used for n in ConductorAPI().compute_node_get_all(ctxt)}
    assert nodes[instance.host] == 1 and sum(nodes.values()) == 1


@pytest.mark.parametrize("cap", [("STRATUS_SCHEDULER_RPC_VERSION_CAP", "1.1"),
                                 ("STRATUS_CONDUCTOR_RPC_VERSION_CAP", "1.11")])
def test_claimed_by_the_scheduler_while_it_or_the_conductors_are_capped(
        cloud, ctxt, monkeypatch, cap):
    from stratus.conductor import tasks

    (cloud / "img.raw").write_bytes(b"\0" * 512)
    asked = _recorded_select_hosts(monkeypatch)
    monkeypatch.setenv(*cap)
    config.reset_settings()
    tasks._compute_task.cache_clear()  # its clients read their caps when built
    try:
        instance = _boot(ctxt)
    finally:
        tasks._compute_task.cache_clear()
    assert instance.vm_state == "active" and asked == []
    nodes = {n.host: n.vcpus_used for n in ConductorAPI().compute_node_get_all(ctxt)}
    assert nodes[instance.host] == 1 and sum(nodes.values()) == 1


def test_hosts_filled_since_the_scheduler_chose_are_chosen_again_on_fresh_states(
        cloud, ctxt, monkeypatch):
    (cloud / "img.raw").write_bytes(b"\0" * 512)
    monkeypatch.setenv("STRATUS_SCHEDULER_HOST_STATE_TTL", "600")
    config.reset_settings()
    assert _boot(ctxt).vm_state == "active"  # the scheduler's states are read now
    _fill_nodes()
    asked = _recorded_select_hosts(monkeypatch)
    instance = _boot(ctxt, name="second")
    # Chosen on the cached states; every claim refused; chosen again on
    # fresh ones, which explain why no host is left.
    assert asked == [False, True]
    assert instance.vm_state == "error"
    assert "CoreFilter removed 4" in instance.fault["message"]


def test_the_conductor_claims_the_first_alternate_with_room(cloud, ctxt):
    from stratus.common.objects import Selection
    from stratus.conductor.db.session import transaction
    from stratus.conductor.orchestration import build

    nodes = {n.host: n for n in ConductorAPI().compute_node_get_all(ctxt)}
    _fill_nodes("b1")
    chosen = [Selection(host=h, nodename=nodes[h].hypervisor_hostname,
                        compute_node_id=nodes[h].id) for h in ("b1", "b2", "b3")]
    flavor = ConductorAPI().flavor_create(ctxt, {"name": "f", "vcpus": 1, "memory_mb": 64,
                                                 "root_gb": 1})
    with transaction() as session:
        claimed, after = build._claim_first(session, "i1", {"flavor": flavor}, chosen)
    assert (claimed.host, claimed.claimed, [s.host for s in after]) == ("b2", True, ["b3"])
    used = {n.host: n.vcpus_used for n in ConductorAPI().compute_node_get_all(ctxt)}
    assert used == {"b1": 16000, "b2": 1, "b3": 0, "b4": 0}


def test_a_build_whose_claims_keep_failing_fails_after_max_attempts(cloud, ctxt, monkeypatch):
    from stratus.common.objects import Selection, to_primitive
    from stratus.conductor.orchestration import build

    nodes = {n.host: n for n in ConductorAPI().compute_node_get_all(ctxt)}
    flavor = ConductorAPI().flavor_create(ctxt, {"name": "f", "vcpus": 1, "memory_mb": 64,
                                                 "root_gb": 1})
    values = {"uuid": str(uuid.uuid4()), "display_name": "vm", "project_id": ctxt.project_id,
              "user_id": ctxt.user_id, "vm_state": "building", "task_state": "scheduling",
              "flavor": flavor, "vcpus": 1, "memory_mb": 64, "root_gb": 1}
    spec = {"flavor": flavor, "image": None, "num_instances": 1}
    build._record(ctxt, [values], spec, 1)  # recorded, not scheduled
    _fill_nodes()
    asked = _recorded_select_hosts(monkeypatch)
    reply = {"result": to_primitive([[Selection(host=h, nodename=nodes[h].hypervisor_hostname,
                                                compute_node_id=nodes[h].id)
                                      for h in ("b1", "b2")]])}
    ComputeTaskAPI().build_on_hosts(ctxt, values["uuid"], spec, reply, attempt=3)
    instance = ConductorAPI().instance_get(get_admin_context(), values["uuid"])
    assert asked == [] and instance.vm_state == "error"
    assert instance.fault["message"] == ("No valid host was found. claims failed on the hosts "
                                         "chosen in each of 3 tries (taken by concurrent "
                                         "requests)")


def test_a_second_delivery_of_build_on_hosts_leaves_a_built_server_alone(cloud, ctxt):
    from stratus.common.objects import Selection, to_primitive

    (cloud / "img.raw").write_bytes(b"\0" * 512)
    instance = _boot(ctxt)
    others = [n for n in ConductorAPI().compute_node_get_all(ctxt) if n.host != instance.host]
    _fill_nodes(*(n.host for n in others))
    reply = {"result": to_primitive([[Selection(host=n.host, nodename=n.hypervisor_hostname,
                                                compute_node_id=n.id) for n in others]])}
    spec = {"flavor": instance.flavor, "image": None, "num_instances": 1}
    ComputeTaskAPI().build_on_hosts(ctxt, instance.uuid, spec, reply, attempt=3)
    again = ConductorAPI().instance_get(get_admin_context(), instance.uuid)
    assert (again.vm_state, again.host, again.fault) == ("active", instance.host, None)
