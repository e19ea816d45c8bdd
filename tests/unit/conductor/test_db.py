"""The conductor's database endpoints through the real RPC path (eager)."""
import uuid

import pytest

from stratus.common import exception
from stratus.conductor.rpcapi import ConductorAPI


def _node(api, ctxt, host="h1", vcpus=4, memory_mb=4096, local_gb=40, **extra):
    api.service_update(ctxt, host, "nova-compute", f"compute.{host}")
    resources = dict(vcpus=vcpus, memory_mb=memory_mb, local_gb=local_gb,
                     hypervisor_type="TEST", hypervisor_version=1, **extra)
    return api.compute_node_update(ctxt, host, host, resources)


def test_claim_fits_then_refuses_when_full(api, ctxt):
    node = _node(api, ctxt, memory_mb=2048)
    assert api.claim_resources(ctxt, "i1", node.id, 1, 1024, 1)
    assert api.claim_resources(ctxt, "i2", node.id, 1, 1024, 1)
    assert not api.claim_resources(ctxt, "i3", node.id, 1, 1024, 1)
    assert api.claim_resources(ctxt, "i2", node.id, 1, 1024, 1)  # held, on a full node
    node = api.compute_node_get(ctxt, node.id)
    assert (node.memory_mb_used, node.vcpus_used, node.running_vms) == (2048, 2, 2)


def test_claim_is_idempotent_and_release_never_subtracts_twice(api, ctxt):
    node = _node(api, ctxt)
    assert api.claim_resources(ctxt, "i1", node.id, 2, 512, 5)
    assert api.claim_resources(ctxt, "i1", node.id, 2, 512, 5)
    assert api.compute_node_get(ctxt, node.id).memory_mb_used == 512
    assert api.release_resources(ctxt, "i1") == 1
    assert api.release_resources(ctxt, "i1") == 0
    node = api.compute_node_get(ctxt, node.id)
    assert (node.memory_mb_used, node.vcpus_used, node.local_gb_used) == (0, 0, 0)


def test_claim_honours_allocation_ratio_and_reserved(api, ctxt):
    node = _node(api, ctxt, vcpus=2, memory_mb=2048, cpu_allocation_ratio=2.0,
                 reserved_host_memory_mb=1024)
    assert api.claim_resources(ctxt, "i1", node.id, 4, 1024, 1)
    assert not api.claim_resources(ctxt, "i2", node.id, 1, 1, 1)


def test_node_update_keeps_usage(api, ctxt):
    node = _node(api, ctxt)
    api.claim_resources(ctxt, "i1", node.id, 1, 256, 1)
    node = _node(api, ctxt, memory_mb=8192)
    assert (node.memory_mb, node.memory_mb_used) == (8192, 256)
    assert node.service_up and not node.service_disabled


def _instance(api_ctxt_values):
    return dict({"uuid": str(uuid.uuid4()), "display_name": "vm", "project_id": "p1",
                 "user_id": "u1", "vm_state": "building", "task_state": "scheduling"},
                **api_ctxt_values)


def test_instance_update_compare_and_swap(conductor, ctxt):
    from stratus.conductor.db import instances
    from stratus.conductor.db.session import transaction

    with transaction() as session:
        uuid_ = instances.instance_create(session, _instance({})).uuid
    api = ConductorAPI()
    inst = api.instance_update(ctxt, uuid_, {"task_state": "spawning"},
                               expected_task_state=["scheduling", None])
    assert inst.task_state == "spawning"
    with pytest.raises(exception.UnexpectedTaskStateError):
        api.instance_update(ctxt, uuid_, {"task_state": None}, expected_task_state="scheduling")
    api.instance_update(ctxt, uuid_, {"task_state": "deleting"})
    with pytest.raises(exception.UnexpectedDeletingTaskStateError):
        api.instance_update(ctxt, uuid_, {"vm_state": "active"}, expected_task_state="spawning")
    api.instance_destroy(ctxt, uuid_)
    with pytest.raises(exception.InstanceNotFound):
        api.instance_get(ctxt, uuid_)


def test_a_build_saved_once_expects_its_host_and_keeps_its_start(conductor, ctxt):
    """1.14: a host's unclaimed build saves with expected_host, and its
    event carries when the host started it."""
    from stratus.conductor.db import actions, instances
    from stratus.conductor.db.session import transaction

    with transaction() as session:
        uuid_ = instances.instance_create(session, _instance({"host": "h1"})).uuid
        instances.action_start(session, ctxt, uuid_, "create")
    api = ConductorAPI()
    done = {"vm_state": "active", "task_state": None}
    event = {"event": "compute__do_build_and_run_instance", "host": "h2", "task_id": "t",
             "start": True, "started_at": "2026-12-07T10:00:00", "result": "Success"}
    with pytest.raises(exception.UnexpectedTaskStateError):  # moved to h1 meanwhile
        api.instance_update(ctxt, uuid_, done, expected_task_state=["scheduling", None],
                            expected_vm_state="building", expected_host="h2", event=event)
    saved = api.instance_update(ctxt, uuid_, done, expected_task_state=["scheduling", None],
                                expected_vm_state="building", expected_host="h1",
                                event=dict(event, host="h1"))
    assert saved.vm_state == "active"
    [action] = api.action_get_all(ctxt, uuid_)
    [recorded] = api.action_get(ctxt, uuid_, action.request_id).events
    assert recorded.start_time.startswith("2026-12-07T10:00:00")
    assert recorded.finish_time > recorded.start_time
    assert (recorded.host, recorded.result) == ("h1", "Success")


def test_flavor_create_clash_and_not_found(api, ctxt):
    values = {"flavorid": "1", "name": "m1.tiny", "vcpus": 1, "memory_mb": 512, "root_gb": 1}
    assert api.flavor_create(ctxt, values).name == "m1.tiny"
    with pytest.raises(exception.FlavorExists):
        api.flavor_create(ctxt, values)
    with pytest.raises(exception.FlavorNotFound):
        api.flavor_get(ctxt, "nope")
    assert api.flavor_create(ctxt, dict(values, flavorid=None, name="x")).flavorid


def test_service_up_depends_on_heartbeat_age(api, ctxt, monkeypatch):
    from stratus.config import reset_settings

    api.service_update(ctxt, "h1", "nova-compute", "compute.h1")
    assert api.service_get_all(ctxt)[0].up
    monkeypatch.setenv("STRATUS_SERVICE_DOWN_TIME", "-1")
    reset_settings()
    try:
        assert not api.service_get_all(ctxt)[0].up
    finally:
        monkeypatch.delenv("STRATUS_SERVICE_DOWN_TIME")
        reset_settings()


def test_events_keep_one_row_per_host_even_out_of_order(conductor, ctxt):
    from stratus.conductor.db import instances
    from stratus.conductor.db.models import InstanceActionEvent
    from stratus.conductor.db.session import transaction
    from sqlalchemy import select

    with transaction() as session:
        uuid_ = instances.instance_create(session, _instance({})).uuid
        instances.action_start(session, ctxt, uuid_, "create")
    api = ConductorAPI()
    api.action_event_finish(ctxt, uuid_, "build", "Error", "boom", host="a")
    api.action_event_start(ctxt, uuid_, "build", host="a")
    api.action_event_start(ctxt, uuid_, "build", host="b")
    api.action_event_finish(ctxt, uuid_, "build", "Success", host="b")
    with transaction() as session:
        rows = session.scalars(select(InstanceActionEvent).order_by(InstanceActionEvent.id)).all()
        got = [(r.host, r.result, r.start_time is not None, r.finish_time is not None) for r in rows]
    assert got == [("a", "Error", True, True), ("b", "Success", True, True)]
