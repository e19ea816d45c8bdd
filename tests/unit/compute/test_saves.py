"""A compute host's saves retried through an outage (stratus.compute.saves),
and a build whose final save never lands leaving no guest behind."""
import pytest

from stratus.common import exception
from stratus.common.objects import Instance
from stratus.common.vocabulary import TaskState, VmState
from stratus.compute.manager import ComputeManager
from stratus.compute.saves import RetryingConductor
from stratus.compute.virt.libvirt import LibvirtDriver

OUTAGES = [exception.DatabaseUnavailable(reason="refused"),
           exception.MessagingUnavailable(method="conductor.instance_update", reason="refused"),
           exception.MessagingTimeout(timeout=10, method="conductor.instance_update")]


class Outage:
    """Wraps a fake conductor: its next `times` calls of `method` fail
    with `error`, before (or, `landing`, after) the fake carried them out."""

    def __init__(self, conductor, method, error, times, landing=False):
        self.conductor, self.method, self.error = conductor, method, error
        self.left, self.landing = times, landing

    def __getattr__(self, name):
        real = getattr(self.conductor, name)
        if name != self.method:
            return real

        def failing(*args, **kwargs):
            if self.left:
                self.left -= 1
                if self.landing:
                    real(*args, **kwargs)
                raise self.error
            return real(*args, **kwargs)
        return failing


@pytest.fixture
def window(override):
    return lambda seconds: override(STRATUS_SAVE_RETRY_SECONDS=seconds)


@pytest.mark.parametrize("error", OUTAGES, ids=lambda e: type(e).__name__)
def test_a_save_meeting_an_outage_is_retried_until_it_lands(conductor, make_instance, ctxt,
                                                            fake_time, window, error):
    window(60)
    instance = make_instance()
    conductor.add(instance)
    saves = RetryingConductor(Outage(conductor, "instance_update", error, 3))
    saves.instance_update(ctxt, instance.uuid, {"task_state": TaskState.SPAWNING},
                          expected_task_state=TaskState.SCHEDULING)
    assert conductor.instances[instance.uuid]["task_state"] == TaskState.SPAWNING
    assert len(conductor.called("instance_update")) == 1
    assert fake_time.pauses == [0.25, 0.5, 1.0]


def test_the_window_bounds_the_retries(conductor, make_instance, ctxt, fake_time, window):
    window(10)
    instance = make_instance()
    conductor.add(instance)
    saves = RetryingConductor(Outage(conductor, "instance_update", OUTAGES[0], 1000))
    with pytest.raises(exception.DatabaseUnavailable):
        saves.instance_update(ctxt, instance.uuid, {"task_state": TaskState.SPAWNING},
                              expected_task_state=TaskState.SCHEDULING)
    assert fake_time.pauses == [0.25, 0.5, 1.0, 2.0, 4.0]  # 7.75 s; 4 more would pass 10


def test_an_answer_that_is_not_an_outage_is_not_retried(conductor, make_instance, ctxt,
                                                        fake_time, window):
    window(60)
    instance = make_instance(task_state=TaskState.DELETING)
    conductor.add(instance)
    with pytest.raises(exception.UnexpectedTaskStateError):
        RetryingConductor(conductor).instance_update(
            ctxt, instance.uuid, {"task_state": TaskState.SPAWNING},
            expected_task_state=TaskState.SCHEDULING)
    assert fake_time.pauses == []


class _Gettable:
    """The fake conductor with instance_get, as the retry asks after an
    uncertain save."""

    def __init__(self, conductor):
        self.conductor = conductor

    def __getattr__(self, name):
        return getattr(self.conductor, name)

    def instance_get(self, ctxt, instance_uuid):
        return Instance(uuid=instance_uuid, display_name="vm", project_id="p1", user_id="u1",
                        **self.conductor.instances[instance_uuid])


def test_a_save_whose_reply_was_lost_after_it_landed_is_done(conductor, make_instance, ctxt,
                                                             fake_time, window):
    window(60)
    instance = make_instance(task_state=TaskState.SPAWNING)
    conductor.add(instance)
    lost = Outage(_Gettable(conductor), "instance_update", OUTAGES[2], 1, landing=True)
    saved = RetryingConductor(lost).instance_update(
        ctxt, instance.uuid, {"vm_state": VmState.ACTIVE, "task_state": None},
        expected_task_state=TaskState.SPAWNING)
    # The retry met its own first attempt as a conflict: that is success.
    assert saved.vm_state == VmState.ACTIVE and saved.task_state is None
    assert fake_time.pauses == [0.25]


@pytest.mark.parametrize("cap, left_in", [(None, TaskState.SCHEDULING),
                                           ("1.13", TaskState.SPAWNING)])
def test_a_build_whose_final_save_never_lands_removes_its_guest(
        settings, override, conductor, compute_task, make_instance, image, ctxt, fake_time,
        cap, left_in):
    override(STRATUS_SAVE_RETRY_SECONDS=5)
    conductor.cap = cap  # below 1.14 the build claims the instance (to spawning) first
    instance = make_instance(host="host-a")
    conductor.add(instance)
    driver = LibvirtDriver("test:///default", "host-a")
    # The claim, if any, lands; the save that ends the build never does.
    down = Outage(conductor, "instance_update", OUTAGES[0], 0)
    manager = ComputeManager("host-a", driver, down, compute_task)
    spawn = driver.spawn

    def spawn_then_outage(*args):
        spawn(*args)
        down.left = 1000

    driver.spawn = spawn_then_outage
    with pytest.raises(exception.DatabaseUnavailable):
        manager.builds.build_and_run_instance(ctxt, instance, {"image": image}, [])
    assert fake_time.pauses  # it did wait for the database first
    assert not driver.instance_exists(instance)
    assert conductor.instances[instance.uuid]["task_state"] == left_in
    assert manager.build_marks.held() == set()
