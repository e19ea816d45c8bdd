"""ComputeManager against a real test-driver host and a fake conductor."""
import ast
import inspect

import pytest

from stratus.common import exception
from stratus.common import endpoint as endpoints
from stratus.compute.build import BUILD_EVENT, TERMINATE_EVENT
from stratus.compute.manager import ComputeManager
from stratus.compute.virt.libvirt import LibvirtDriver
from stratus.common.objects import Image
from stratus.common.vocabulary import PowerState, TaskState, VmState

ALTERNATES = [{"host": "host-b", "nodename": "host-b", "compute_node_id": 2}]


@pytest.fixture
def driver(settings):
    return LibvirtDriver("test:///default", "host-a")


@pytest.fixture
def manager(driver, conductor, compute_task):
    return ComputeManager("host-a", driver, conductor, compute_task)


@pytest.fixture
def instance(make_instance, conductor):
    inst = make_instance(host="host-a")
    conductor.add(inst)
    return inst


def _events(conductor, method):
    return [(c["event"], c.get("result")) for c in conductor.called(method)]


def test_init_host_registers_service_and_node(override, conductor, compute_task):
    override(STRATUS_CPU_ALLOCATION_RATIO=2.5, STRATUS_RESERVED_HOST_MEMORY_MB=512,
             STRATUS_AVAILABILITY_ZONE="az1")
    ComputeManager("host-a", LibvirtDriver("test:///default", "host-a"),
                   conductor, compute_task).init_host()
    assert conductor.called("service_update") == [dict(
        host="host-a", binary="nova-compute", topic="compute.host-a",
        availability_zone="az1")]
    [node] = conductor.called("compute_node_update")
    assert (node["host"], node["nodename"]) == ("host-a", "host-a")
    resources = node["resources"]
    assert resources["cpu_allocation_ratio"] == 2.5
    assert resources["reserved_host_memory_mb"] == 512
    assert {"ram_allocation_ratio", "disk_allocation_ratio", "reserved_host_disk_mb",
            "vcpus", "memory_mb", "local_gb"} <= set(resources)


def test_report_state_heartbeats(manager, conductor):
    manager.report_state()
    manager.report_state()
    assert len(conductor.called("service_update")) == 2


def test_a_build_saves_once_at_its_end(manager, driver, conductor, compute_task, instance,
                                        image, ctxt):
    manager.builds.build_and_run_instance(ctxt, instance, {"image": image}, ALTERNATES)
    assert conductor.task_states[instance.uuid] == [None]
    [save] = conductor.called("instance_update")
    # Only while still building, handed over and on this host: a delete or
    # a move meanwhile wins.
    assert save["expected_task_state"] == [TaskState.SCHEDULING, None]
    assert (save["expected_vm_state"], save["expected_host"]) == (VmState.BUILDING, "host-a")
    assert save["event"]["started_at"] <= conductor.instances[instance.uuid]["launched_at"]
    record = conductor.instances[instance.uuid]
    assert record["vm_state"] == VmState.ACTIVE
    assert record["power_state"] == PowerState.RUNNING
    assert record["launched_at"]
    assert driver.get_info(instance) == PowerState.RUNNING
    assert _events(conductor, "action_event_start") == [(BUILD_EVENT, None)]
    assert _events(conductor, "action_event_finish") == [(BUILD_EVENT, "Success")]
    assert compute_task.reschedules == []
    assert manager.build_marks.held() == set()


def _claimed_first(conductor, override, ctxt, case):
    """Set up one reason for a build to claim the instance before it spawns."""
    if case == "capped":
        conductor.cap = "1.13"  # a conductor that would not check the host
    elif case == "shared storage":
        override(STRATUS_LIVE_MIGRATION_SHARED_STORAGE="1")
    elif case == "redelivered":
        ctxt.redelivered = True


@pytest.mark.parametrize("case", ["capped", "shared storage", "redelivered"])
def test_a_build_claims_first_when_it_may_have_run_or_may_be_moved(
        manager, driver, conductor, override, instance, image, ctxt, case):
    _claimed_first(conductor, override, ctxt, case)
    manager.builds.build_and_run_instance(ctxt, instance, {"image": image}, ALTERNATES)
    assert conductor.task_states[instance.uuid] == [TaskState.SPAWNING, None]
    claim, end = conductor.called("instance_update")
    assert claim["expected_task_state"] == [TaskState.SCHEDULING, None]
    assert end["expected_task_state"] == TaskState.SPAWNING
    assert conductor.instances[instance.uuid]["vm_state"] == VmState.ACTIVE
    assert _events(conductor, "action_event_start") == [(BUILD_EVENT, None)]
    assert _events(conductor, "action_event_finish") == [(BUILD_EVENT, "Success")]


def test_a_late_second_delivery_leaves_the_built_guest_alone(manager, driver, conductor,
                                                             instance, image, ctxt):
    """A copy of the message after the build finished (a publish retried
    after its first attempt had landed: not flagged redelivered)."""
    manager.builds.build_and_run_instance(ctxt, instance, {"image": image}, ALTERNATES)
    conductor.calls.clear()
    manager.builds.build_and_run_instance(ctxt, instance, {"image": image}, ALTERNATES)
    # Its guest is here, so it claims first, and the claim finds it active.
    [claim] = conductor.called("instance_update")
    assert claim["values"] == {"task_state": TaskState.SPAWNING}
    assert driver.get_info(instance) == PowerState.RUNNING
    assert conductor.instances[instance.uuid]["vm_state"] == VmState.ACTIVE


def test_a_delivery_meeting_the_build_under_way_does_nothing(manager, driver, conductor,
                                                              instance, image, ctxt):
    assert manager.build_marks.take(instance.uuid)  # another delivery builds it now
    manager.builds.build_and_run_instance(ctxt, instance, {"image": image}, ALTERNATES)
    assert conductor.calls == [] and not driver.instance_exists(instance)
    assert manager.build_marks.held() == {instance.uuid}  # the other's mark stays


def test_a_build_moved_away_while_it_spawned_removes_its_guest(manager, driver, conductor,
                                                               instance, image, ctxt):
    spawn = driver.spawn

    def moved_meanwhile(*args):
        spawn(*args)
        conductor.instances[instance.uuid]["host"] = "host-b"  # the reaper's move

    driver.spawn = moved_meanwhile
    manager.builds.build_and_run_instance(ctxt, instance, {"image": image}, ALTERNATES)
    assert not driver.instance_exists(instance)
    assert conductor.instances[instance.uuid]["vm_state"] == VmState.BUILDING
    assert _events(conductor, "action_event_start") == [(BUILD_EVENT, None)]
    assert _events(conductor, "action_event_finish") == [(BUILD_EVENT, "Error")]


def test_build_accepts_image_as_dict(manager, driver, instance, image, ctxt):
    manager.builds.build_and_run_instance(ctxt, instance, {"image": image.to_dict()}, [])
    assert driver.instance_exists(instance)


def test_spawn_failure_reschedules_onto_alternates(manager, driver, conductor, compute_task,
                                                   instance, ctxt):
    missing = Image(id="img-404", name="gone", file="gone.qcow2")
    spec = {"image": missing}
    manager.builds.build_and_run_instance(ctxt, instance, spec, ALTERNATES)
    [reschedule] = compute_task.reschedules
    assert reschedule["instance_uuid"] == instance.uuid
    assert reschedule["alternates"] == ALTERNATES
    assert reschedule["request_spec"] == spec
    assert reschedule["failed_host"] == "host-a"
    assert "img-404" in reschedule["reason"]
    [finish] = conductor.called("action_event_finish")
    assert finish["result"] == "Error" and "ImageNotFound" in finish["traceback"]
    # handed back in `scheduling` so that the next host may take it
    assert conductor.instances[instance.uuid]["task_state"] == TaskState.SCHEDULING
    assert not driver.instance_exists(instance)


class FailingAfterDefineDriver(LibvirtDriver):
    """Makes the guest, then fails, as a half-done spawn would."""

    def spawn(self, context, instance, image, flavor):
        super().spawn(context, instance, image, flavor)
        raise exception.HypervisorError(reason="boom")


def test_spawn_failure_removes_what_was_made(settings, conductor, compute_task, instance,
                                             image, ctxt):
    driver = FailingAfterDefineDriver("test:///default", "host-a")
    manager = ComputeManager("host-a", driver, conductor, compute_task)
    manager.builds.build_and_run_instance(ctxt, instance, {"image": image}, ALTERNATES)
    assert not driver.instance_exists(instance)
    assert len(compute_task.reschedules) == 1


class DeletedWhileSpawningDriver(LibvirtDriver):
    """Spawns, while the user deletes the instance in the meantime."""

    def __init__(self, uri, host, on_spawn):
        super().__init__(uri, host)
        self.on_spawn = on_spawn

    def spawn(self, context, instance, image, flavor):
        super().spawn(context, instance, image, flavor)
        self.on_spawn(instance.uuid)


@pytest.mark.parametrize("delete", ["task_state_deleting", "record_gone"])
def test_deleted_while_building_cleans_up(settings, conductor, compute_task, instance,
                                          image, ctxt, delete):
    def user_deletes(uuid):
        if delete == "record_gone":
            conductor.instances.pop(uuid)
        else:
            conductor.instances[uuid]["task_state"] = TaskState.DELETING

    driver = DeletedWhileSpawningDriver("test:///default", "host-a", user_deletes)
    manager = ComputeManager("host-a", driver, conductor, compute_task)
    manager.builds.build_and_run_instance(ctxt, instance, {"image": image}, ALTERNATES)
    assert not driver.instance_exists(instance)
    assert compute_task.reschedules == []
    assert _events(conductor, "action_event_finish") == [(BUILD_EVENT, "Error")]


def test_deleted_before_spawning_does_not_spawn(manager, driver, conductor, compute_task,
                                                instance, image, ctxt):
    conductor.instances[instance.uuid]["task_state"] = TaskState.DELETING
    manager.builds.build_and_run_instance(ctxt, instance, {"image": image}, ALTERNATES)
    assert not driver.instance_exists(instance)
    assert compute_task.reschedules == []
    assert conductor.instances[instance.uuid]["task_state"] == TaskState.DELETING


def test_terminate_destroys_then_deletes_the_record(manager, driver, conductor, instance,
                                                    image, ctxt):
    manager.builds.build_and_run_instance(ctxt, instance, {"image": image}, [])
    manager.builds.terminate_instance(ctxt, instance)
    assert not driver.instance_exists(instance)
    assert instance.uuid not in conductor.instances
    assert _events(conductor, "action_event_finish")[-1] == (TERMINATE_EVENT, "Success")
    manager.builds.terminate_instance(ctxt, instance)  # a redelivered message is harmless


def _compute_modules():
    """The manager's module and those of everything it is composed of."""
    from stratus.compute import failures, migration_recovery, operation, snapshot_recovery

    classes = (ComputeManager, *ComputeManager.operations)
    return sorted({inspect.getmodule(cls) for cls in classes}
                  | {failures, operation, migration_recovery, snapshot_recovery},
                  key=lambda module: module.__name__)


@pytest.mark.parametrize("module", _compute_modules(), ids=lambda module: module.__name__)
def test_manager_knows_nothing_about_celery(module):
    tree = ast.parse(inspect.getsource(module))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {m for m in imported if m.split(".")[0] == "celery"
                or m in ("stratus.common.celeryapp", "stratus.common.rpc", "stratus.compute.tasks")}


def test_the_manager_holds_one_of_each_operation(manager):
    held = [value for value in vars(manager).values()
            if isinstance(value, ComputeManager.operations)]
    assert sorted(type(op).__name__ for op in held) == sorted(
        cls.__name__ for cls in ComputeManager.operations)
    assert all(op.manager is manager for op in held)
    assert set(endpoints.bound(manager)) == set(endpoints.declared(ComputeManager))


def test_each_endpoint_is_served_by_one_of_the_managers_operations(manager):
    """(The stubs' match with the endpoints is tests/unit/arch's.)"""
    served = endpoints.bound(manager)
    assert sorted(served) == sorted(endpoints.declared(ComputeManager))
    holders = {id(value) for value in vars(manager).values()
               if isinstance(value, ComputeManager.operations)}
    assert all(id(method.__self__) in holders for method in served.values())


