"""Compute fixtures: settings pointing at a throwaway state directory,
wire objects to build, and fakes of the conductor's rpcapi clients."""
import uuid as uuidlib

import pytest

from stratus import config
from stratus.common import exception, rpc
from stratus.common.objects import Flavor, Image, Instance
from stratus.common.vocabulary import TaskState, UNSET, VmState


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """Settings with their own state, images and instances directories;
    `settings.override(NAME=value)` changes more of the environment."""
    monkeypatch.setenv("STRATUS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("STRATUS_IMAGES_PATH", str(tmp_path / "images"))
    monkeypatch.setenv("STRATUS_INSTANCES_PATH", str(tmp_path / "instances"))
    config.reset_settings()
    (tmp_path / "images").mkdir()
    yield config.get_settings()
    monkeypatch.undo()
    config.reset_settings()


@pytest.fixture
def override(settings, monkeypatch):
    """Set environment variables and re-read the settings."""
    def _override(**env):
        for name, value in env.items():
            monkeypatch.setenv(name, str(value))
        config.reset_settings()
        return config.get_settings()
    return _override


@pytest.fixture
def image(settings):
    """An image whose file is in the image store."""
    (settings.images_path / "cirros.qcow2").write_bytes(b"not really qcow2")
    return Image(id="img-1", name="cirros", file="cirros.qcow2")


@pytest.fixture
def flavor():
    return Flavor(id=1, flavorid="1", name="m1.tiny", vcpus=1, memory_mb=512, root_gb=1)


@pytest.fixture
def make_instance(flavor):
    """Build an Instance (a fresh uuid each call) in vm_state building."""
    def _make(**values):
        fields = dict(uuid=str(uuidlib.uuid4()), display_name="vm", project_id="p1",
                      user_id="u1", vm_state=VmState.BUILDING,
                      task_state=TaskState.SCHEDULING, flavor=flavor, vcpus=1, memory_mb=512)
        fields.update(values)
        return Instance(**fields)
    return _make


class FakeConductorAPI:
    """ConductorAPI in memory: records calls; instance_update honours
    expected_task_state, expected_vm_state and expected_host like the
    real compare-and-swap. `cap`: the conductors' version cap."""

    def __init__(self):
        self.calls = []
        self.instances = {}
        self.task_states = {}
        self.cap = None

    def can_send_version(self, version):
        return self.cap is None or rpc.version_is_compatible(self.cap, version)

    def add(self, instance):
        self.instances[instance.uuid] = {"task_state": instance.task_state,
                                         "vm_state": instance.vm_state,
                                         "host": instance.host}
        self.task_states[instance.uuid] = []

    def called(self, method):
        return [kwargs for name, kwargs in self.calls if name == method]

    def service_update(self, ctxt, host, binary, topic, availability_zone=None):
        self.calls.append(("service_update", dict(host=host, binary=binary, topic=topic,
                                                  availability_zone=availability_zone)))

    def compute_node_update(self, ctxt, host, nodename, resources):
        self.calls.append(("compute_node_update",
                           dict(host=host, nodename=nodename, resources=resources)))

    def instance_get_all(self, ctxt, filters=None, limit=None, marker=None):
        # Recovery at start-up asks for the host's instances: these fakes
        # only track states, so the host starts empty (tests/unit/compute/
        # test_recovery.py covers recovery against the real conductor).
        return []

    def migration_get_all(self, ctxt, filters=None, limit=None, marker=None):
        # Likewise the evacuations and resizes recovery looks for
        # (tests/unit/api/server_migrations/ recover them against the real conductor).
        return []

    def instance_update(self, ctxt, instance_uuid, values, expected_task_state=UNSET,
                        expected_vm_state=None, event=None, action=None, expected_host=None):
        self.calls.append(("instance_update", dict(
            instance_uuid=instance_uuid, values=values, expected_task_state=expected_task_state,
            expected_vm_state=expected_vm_state, expected_host=expected_host, event=event)))
        record = self.instances.get(instance_uuid)
        if record is None:
            raise exception.InstanceNotFound(instance_id=instance_uuid)
        self._check(instance_uuid, record, expected_task_state)
        for key, expected in (("vm_state", expected_vm_state), ("host", expected_host)):
            if expected is not None and record[key] != expected:
                raise exception.UnexpectedTaskStateError(
                    instance_uuid=instance_uuid, expected=expected, actual=record[key])
        record.update(values)
        if event:  # recorded with the save, as the conductor does in one transaction
            self._record_event(ctxt, instance_uuid, event)
        if "task_state" in values:
            self.task_states[instance_uuid].append(values["task_state"])
        return record

    @staticmethod
    def _check(uuid, record, expected):
        if expected is UNSET:
            return
        allowed = expected if isinstance(expected, (list, tuple)) else [expected]
        if record["task_state"] not in allowed:
            raise exception.UnexpectedTaskStateError(instance_uuid=uuid, expected=allowed,
                                                     actual=record["task_state"])

    def instance_destroy(self, ctxt, instance_uuid):
        self.calls.append(("instance_destroy", dict(instance_uuid=instance_uuid)))
        if self.instances.pop(instance_uuid, None) is None:
            raise exception.InstanceNotFound(instance_id=instance_uuid)

    def _record_event(self, ctxt, instance_uuid, event):
        if event.get("start", "result" not in event):
            self.action_event_start(ctxt, instance_uuid, event["event"], host=event.get("host"))
        if "result" in event:
            self.action_event_finish(ctxt, instance_uuid, event["event"], event["result"],
                                     traceback=event.get("traceback"), host=event.get("host"))

    def action_event_start(self, ctxt, instance_uuid, event, host=None, task_id=None):
        self.calls.append(("action_event_start",
                           dict(instance_uuid=instance_uuid, event=event, host=host)))

    def action_event_finish(self, ctxt, instance_uuid, event, result, traceback=None,
                            host=None, task_id=None):
        self.calls.append(("action_event_finish",
                           dict(instance_uuid=instance_uuid, event=event, result=result,
                                traceback=traceback, host=host)))


class FakeComputeTaskAPI:
    """ComputeTaskAPI that records the reschedules it is asked for."""

    def __init__(self):
        self.reschedules = []

    def reschedule_instance(self, ctxt, instance_uuid, request_spec, alternates,
                            failed_host, reason):
        self.reschedules.append(dict(instance_uuid=instance_uuid, request_spec=request_spec,
                                     alternates=alternates, failed_host=failed_host,
                                     reason=reason))


@pytest.fixture
def conductor():
    return FakeConductorAPI()


@pytest.fixture
def compute_task():
    return FakeComputeTaskAPI()
