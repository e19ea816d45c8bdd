"""Second deliveries, restarts and auto-confirm of resizes on the real eager
stack (two compute hosts on libvirt's test driver in this process).

A message is held back by recording the cast instead of sending it (the
test then delivers it, twice); a restart is start-up recovery run on the
host's manager, whose test connection keeps its guests."""
import datetime

import libvirt
import pytest
from sqlalchemy import update

from stratus import config
from tests.unit.api.server_migrations import two_hosts as rs
from tests.unit.api.stack import act
from stratus.common import exception
from stratus.compute.rpcapi import ComputeAPI
from stratus.conductor.rpcapi import ConductorAPI
from stratus.common.context import get_admin_context
from stratus.common.vocabulary import MigrationStatus, TaskState


@pytest.fixture
def held(monkeypatch):
    """Record the casts of these ComputeAPI methods instead of sending them."""
    sent = []

    def hold(*names):
        for name in names:
            monkeypatch.setattr(ComputeAPI, name, lambda self, ctxt, host, instance, migration,
                                _n=name: sent.append((_n, host, instance, migration)))
        return sent
    return hold


def _instance(server_id):
    return ConductorAPI().instance_get(get_admin_context(), server_id)


def test_every_step_delivered_twice_does_its_work_once(client, server, flavors, held):
    ctxt = get_admin_context()
    sent = held("resize_instance", "finish_resize")
    assert act(client, server, {"resize": {"flavorRef": flavors["big"]}}).status_code == 202
    (_, source, instance, migration), = sent
    dest = rs.other(source)
    for _ in range(2):
        rs.manager(source).resizes.resize_instance(ctxt, instance, migration)
    assert [m[0] for m in sent] == ["resize_instance", "finish_resize"]
    assert _instance(server).task_state == TaskState.RESIZE_MIGRATED
    _, to, instance, migration = sent[1]
    assert to == dest
    for _ in range(2):
        rs.manager(dest).resizes.finish_resize(ctxt, instance, migration)
    assert rs.where(client, server) == (dest, "VERIFY_RESIZE", None, "mv.big")
    assert rs.claims(server) == {source: (1, 64), dest: (2, 128)}
    sent.clear()
    held("confirm_resize")
    assert act(client, server, {"confirmResize": None}).status_code == 204
    (_, to, instance, migration), = sent
    for _ in range(2):
        rs.manager(to).resizes.confirm_resize(ctxt, instance, migration)
    assert rs.where(client, server) == (dest, "ACTIVE", None, "mv.big")
    assert rs.claims(server) == {dest: (2, 128)}
    assert rs.last_migration(server).status == "confirmed"


def test_revert_delivered_twice(client, server, flavors, held):
    ctxt = get_admin_context()
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    assert act(client, server, {"resize": {"flavorRef": flavors["big"]}}).status_code == 202
    sent = held("revert_resize", "finish_revert_resize")
    assert act(client, server, {"revertResize": None}).status_code == 202
    _, dest, instance, migration = sent[0]
    for _ in range(2):
        rs.manager(dest).resizes.revert_resize(ctxt, instance, migration)
    assert [m[0] for m in sent] == ["revert_resize", "finish_revert_resize",
                                    "finish_revert_resize"]
    for _, to, instance, migration in sent[1:]:
        rs.manager(to).resizes.finish_revert_resize(ctxt, instance, migration)
    rs.manager(dest).resizes.revert_resize(ctxt, instance, migration)  # a late third copy
    assert len(sent) == 3
    assert rs.where(client, server) == (source, "ACTIVE", None, "mv.small")
    assert rs.claims(server) == {source: (1, 64)}
    assert rs.last_migration(server).status == "reverted"


def test_a_source_restarted_while_powering_off_puts_the_server_back(client, server, flavors,
                                                                    held):
    ctxt = get_admin_context()
    sent = held("resize_instance")
    assert act(client, server, {"resize": {"flavorRef": flavors["big"]}}).status_code == 202
    (_, source, instance, migration), = sent
    # The source took the step and powered the guest off, then stopped.
    ConductorAPI().instance_move_commit(
        ctxt, server, {"task_state": TaskState.RESIZE_MIGRATING}, migration_id=migration.id,
        migration_values={"status": MigrationStatus.MIGRATING},
        expected_task_state=[TaskState.RESIZE_PREP])
    rs.domain(source, server).destroy()
    assert len(rs.claims(server)) == 2
    rs.manager(source).recovery.init_instances(ctxt)
    assert rs.where(client, server) == (source, "ACTIVE", None, "mv.small")
    assert rs.domain(source, server).state()[0] == libvirt.VIR_DOMAIN_RUNNING
    assert rs.claims(server) == {source: (1, 64)}
    assert rs.last_migration(server).status == "error"
    # The message, delivered again after the restart, finds nothing to do.
    rs.manager(source).resizes.resize_instance(ctxt, instance, migration)
    assert rs.where(client, server)[:3] == (source, "ACTIVE", None)


def test_a_destination_restarted_while_finishing_finishes(client, server, flavors, held):
    ctxt = get_admin_context()
    sent = held("finish_resize")
    assert act(client, server, {"resize": {"flavorRef": flavors["big"]}}).status_code == 202
    (_, dest, instance, migration), = sent
    ConductorAPI().instance_update(ctxt, server, {"task_state": TaskState.RESIZE_FINISH},
                                   expected_task_state=[TaskState.RESIZE_MIGRATED])
    rs.manager(dest).recovery.init_instances(ctxt)
    assert rs.where(client, server) == (dest, "VERIFY_RESIZE", None, "mv.big")
    rs.manager(dest).resizes.finish_resize(ctxt, instance, migration)  # the message again
    assert rs.where(client, server)[:3] == (dest, "VERIFY_RESIZE", None)


def test_a_failed_finish_gives_the_server_back_to_the_source(client, server, flavors,
                                                             monkeypatch):
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    dest = rs.other(source)

    def broken(*args, **kwargs):
        raise exception.HypervisorError(reason="no room for the disk")

    monkeypatch.setattr(rs.manager(dest).driver, "finish_migration", broken)
    assert act(client, server, {"resize": {"flavorRef": flavors["big"]}}).status_code == 202
    assert rs.where(client, server) == (source, "ACTIVE", None, "mv.small")
    assert rs.claims(server) == {source: (1, 64)}
    assert rs.domain(dest, server) is None
    assert rs.domain(source, server).state()[0] == libvirt.VIR_DOMAIN_RUNNING
    migration = rs.last_migration(server)
    assert (migration.status, migration.error) == (
        "error", "Hypervisor error: no room for the disk")
    assert _instance(server).fault["message"] == migration.error


def test_auto_confirm_after_the_window(client, server, flavors, monkeypatch):
    from stratus.conductor.db.migration_models import Migration
    from stratus.conductor.db.session import transaction
    from stratus.conductor.reaper import Reaper

    monkeypatch.setenv("STRATUS_RESIZE_CONFIRM_WINDOW", "60")
    config.reset_settings()
    assert act(client, server, {"resize": {"flavorRef": flavors["big"]}}).status_code == 202
    dest = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    reaper = Reaper(ComputeAPI())
    reaper.run()
    assert rs.where(client, server)[1] == "VERIFY_RESIZE"  # not yet due
    an_hour_ago = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) \
        - datetime.timedelta(hours=1)
    with transaction() as session:
        session.execute(update(Migration).values(updated_at=an_hour_ago))
    reaper.run()
    assert rs.where(client, server) == (dest, "ACTIVE", None, "mv.big")
    assert rs.claims(server) == {dest: (2, 128)}
    assert rs.actions(client, server)[0] == "confirmResize"
    assert rs.last_migration(server).status == "confirmed"


def test_a_destination_restarted_in_verify_resize_has_its_guest_again(client, server,
                                                                      flavors):
    assert act(client, server, {"resize": {"flavorRef": flavors["big"]}}).status_code == 202
    dest = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    gone = rs.domain(dest, server)
    gone.destroy()
    gone.undefine()  # as the test driver loses it with the process
    rs.manager(dest).recovery.init_instances(get_admin_context())
    assert rs.domain(dest, server).state()[0] == libvirt.VIR_DOMAIN_RUNNING
    assert rs.domain(dest, server).info()[3] == 2
    assert act(client, server, {"confirmResize": None}).status_code == 204
    assert rs.where(client, server) == (dest, "ACTIVE", None, "mv.big")


def _stuck(monkeypatch):
    """Let the reaper see every task_state as stuck, and run one pass."""
    from stratus.conductor.db.models import Instance
    from stratus.conductor.db.session import transaction
    from stratus.conductor.reaper import Reaper

    monkeypatch.setenv("STRATUS_TASK_STATE_TIMEOUT", "60")
    config.reset_settings()
    an_hour_ago = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) \
        - datetime.timedelta(hours=1)
    with transaction() as session:
        session.execute(update(Instance).values(updated_at=an_hour_ago))
    Reaper(ComputeAPI()).run()


def test_the_reaper_sends_a_lost_hand_over_again(client, server, flavors, monkeypatch):
    lost, original = [], ComputeAPI.finish_resize
    monkeypatch.setattr(ComputeAPI, "finish_resize", lambda *args: lost.append(args))
    assert act(client, server, {"resize": {"flavorRef": flavors["big"]}}).status_code == 202
    assert len(lost) == 1 and _instance(server).task_state == TaskState.RESIZE_MIGRATED
    monkeypatch.setattr(ComputeAPI, "finish_resize", original)  # the next one gets through
    _stuck(monkeypatch)
    dest = lost[0][2]
    assert rs.where(client, server) == (dest, "VERIFY_RESIZE", None, "mv.big")


def test_the_reaper_fails_a_move_no_host_was_told_of(client, server, flavors, monkeypatch):
    from stratus.conductor.rpcapi import ComputeTaskAPI

    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    # The conductor stops after the scheduler's claim, before it records
    # the destination or tells the source.
    real = ComputeTaskAPI.migrate_server

    def dies_after_claiming(self, ctxt, instance_uuid, flavor, host=None):
        from stratus.conductor.manager import ComputeTaskManager

        task = ComputeTaskManager().migration
        instance = _instance(instance_uuid)
        task._start_migration(ctxt, instance, flavor, True, None)
        task._select_destination(ctxt, instance, flavor, None, True)

    monkeypatch.setattr(ComputeTaskAPI, "migrate_server", dies_after_claiming)
    big = ConductorAPI().flavor_get(get_admin_context(), flavors["big"])
    assert act(client, server, {"resize": {"flavorRef": big.flavorid}}).status_code == 202
    assert len(rs.claims(server)) == 2
    monkeypatch.setattr(ComputeTaskAPI, "migrate_server", real)
    _stuck(monkeypatch)
    assert rs.where(client, server) == (source, "ACTIVE", None, "mv.small")
    assert rs.claims(server) == {source: (1, 64)}
    migration = rs.last_migration(server)
    assert (migration.status, migration.error) == (
        "error", f"The move of instance {server} was lost before it reached a host")
