"""os-migrateLive on the real eager stack: the API, the conductor on
SQLite, the scheduler, and two compute hosts (rz-a, rz-b) on libvirt's
test driver in this process, each with its own private test connection.

Failures are injected by making one driver method raise (a unit-test
device; the functional tests fail a real QEMU migration instead)."""
import libvirt
import pytest

from tests.unit.api.conftest import act_as, mv
from tests.unit.api.server_migrations import two_hosts as rs
from stratus.conductor.rpcapi import ComputeTaskAPI, ConductorAPI
from stratus.common.context import get_admin_context
from stratus.common.vocabulary import MigrationStatus, MigrationType, TaskState

HOSTS = rs.HOSTS


def _migrate(client, server_id, host=None, version="2.30", **body):
    body = {"host": host, "block_migration": "auto", **body}
    return client.post(f"/v2.1/servers/{server_id}/action", json={"os-migrateLive": body},
                       headers=mv(version))


def _migration(server_id):
    [migration] = ConductorAPI().migration_get_all(get_admin_context(),
                                                   {"instance_uuid": server_id})
    return migration


def _events(client, server_id):
    actions = client.get(f"/v2.1/servers/{server_id}/os-instance-actions",
                         headers=mv("2.84")).get_json()["instanceActions"]
    live = [a for a in actions if a["action"] == "live-migration"]
    assert len(live) == 1, actions
    reply = client.get(f"/v2.1/servers/{server_id}/os-instance-actions/"
                       f"{live[0]['request_id']}", headers=mv("2.84"))
    return {e["event"]: e["result"] for e in reply.get_json()["instanceAction"]["events"]}


def _assert_moved(client, server_id, source, dest, domain_state=libvirt.VIR_DOMAIN_RUNNING):
    assert rs.where(client, server_id)[:3][0] == dest
    assert set(rs.claims(server_id)) == {dest}
    migration = _migration(server_id)
    assert (migration.status, migration.migration_type, migration.source_compute,
            migration.dest_compute) == ("completed", "live-migration", source, dest)
    assert rs.domain(source, server_id) is None
    assert rs.domain(dest, server_id).state()[0] == domain_state


def _assert_rolled_back(client, server_id, source, status="ACTIVE",
                        domain_state=libvirt.VIR_DOMAIN_RUNNING):
    assert rs.where(client, server_id)[:3] == (source, status, None)
    assert set(rs.claims(server_id)) == {source}
    assert _migration(server_id).status == "error"
    assert rs.domain(source, server_id).state()[0] == domain_state
    assert rs.domain(rs.other(source), server_id) is None


# the happy paths
def test_host_null_moves_the_server_to_the_other_host(client, server):
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    reply = _migrate(client, server)
    assert (reply.status_code, reply.data) == (202, b"")
    _assert_moved(client, server, source, rs.other(source))
    assert rs.where(client, server)[:3][1:] == ("ACTIVE", None)
    events = _events(client, server)
    assert events["conductor_live_migrate_instance"] == "Success"
    assert events["compute_live_migration"] == "Success"
    assert events["compute_post_live_migration_at_destination"] == "Success"


def test_named_host_and_a_paused_server_stays_paused(client, server):
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    assert client.post(f"/v2.1/servers/{server}/action", json={"pause": None}).status_code == 202
    reply = _migrate(client, server, host=rs.other(source), version="2.25",
                     block_migration=False)
    assert reply.status_code == 202, reply.get_json()
    _assert_moved(client, server, source, rs.other(source), libvirt.VIR_DOMAIN_PAUSED)
    assert rs.where(client, server)[:3][1:] == ("PAUSED", None)


def test_forced_host_and_back_again_before_2_25(client, server):
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    dest = rs.other(source)
    assert _migrate(client, server, host=dest, force=True).status_code == 202
    assert rs.where(client, server)[:3] == (dest, "ACTIVE", None)
    reply = _migrate(client, server, version="2.24", block_migration=False,
                     disk_over_commit=False)
    assert reply.status_code == 202, reply.get_json()
    assert rs.where(client, server)[:3] == (source, "ACTIVE", None)
    assert set(rs.claims(server)) == {source}
    assert rs.domain(dest, server) is None


# the API's checks
@pytest.mark.parametrize("version, body, text", [
    ("2.24", {"block_migration": "auto", "disk_over_commit": False}, "block_migration"),
    ("2.24", {"block_migration": False}, "'disk_over_commit' is a required property"),
    ("2.25", {"block_migration": False, "disk_over_commit": False}, "disk_over_commit"),
    ("2.68", {"force": True, "host": "rz-b"}, "force"),
    ("2.30", {"force": True}, "Can't force to a non-provided destination"),
    ("2.30", {"block_migration": "sometimes"}, "block_migration"),
    ("2.30", {"host": 5}, "host"),
])
def test_bad_bodies_are_400(client, server, version, body, text):
    reply = _migrate(client, server, version=version, **body)
    assert reply.status_code == 400, reply.get_json()
    assert text in reply.get_json()["badRequest"]["message"]
    assert rs.where(client, server)[:3][2] is None


def test_missing_block_migration_and_non_object_are_400(client, server):
    url = f"/v2.1/servers/{server}/action"
    reply = client.post(url, json={"os-migrateLive": {"host": None}}, headers=mv("2.30"))
    assert reply.status_code == 400
    assert "'block_migration' is a required property" in reply.get_json()["badRequest"]["message"]
    assert client.post(url, json={"os-migrateLive": None}).status_code == 400


def test_unknown_host_and_the_source_itself_are_400(client, server):
    reply = _migrate(client, server, host="nowhere")
    assert reply.status_code == 400
    assert reply.get_json()["badRequest"]["message"] == "Compute host nowhere could not be found."
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    reply = _migrate(client, server, host=source)
    assert reply.status_code == 400
    assert reply.get_json()["badRequest"]["message"] == (
        f"Unable to migrate instance ({server}) to current host ({source}).")
    assert rs.where(client, server)[:3] == (source, "ACTIVE", None)
    assert set(rs.claims(server)) == {source}


def test_members_are_403(client, server, monkeypatch):
    act_as(monkeypatch, "someone", "default", ["member"])
    reply = _migrate(client, server)
    assert reply.status_code == 403, reply.get_json()


def test_a_stopped_server_or_one_with_a_task_is_409(client, server):
    url = f"/v2.1/servers/{server}/action"
    assert client.post(url, json={"os-stop": None}).status_code == 202
    reply = _migrate(client, server)
    assert reply.status_code == 409
    assert reply.get_json()["conflictingRequest"]["message"] == (
        f"Cannot 'os-migrateLive' instance {server} while it is in vm_state stopped")
    assert client.post(url, json={"os-start": None}).status_code == 202
    ConductorAPI().instance_update(get_admin_context(), server, {"task_state": "rebooting"})
    reply = _migrate(client, server)
    assert reply.status_code == 409
    assert "task_state rebooting" in reply.get_json()["conflictingRequest"]["message"]


# failures roll back to the source
@pytest.mark.parametrize("on, method", [
    ("source", "check_can_live_migrate_source"),     # before the conductor's cast
    ("dest", "check_can_live_migrate_destination"),  # before the conductor's cast
    ("dest", "pre_live_migration"),
    ("source", "live_migration"),
    ("dest", "post_live_migration_at_destination"),
])
def test_a_failure_at_any_step_leaves_the_server_active_on_its_source(
        client, server, monkeypatch, on, method):
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    failing = rs.manager(source if on == "source" else rs.other(source)).driver

    def fail(*args, **kwargs):
        raise RuntimeError(f"injected failure of {method}")

    monkeypatch.setattr(failing, method, fail)
    assert _migrate(client, server).status_code == 202
    _assert_rolled_back(client, server, source)
    events = _events(client, server)
    assert "Error" in events.values(), events
    assert "Success" not in (events.get("compute_live_migration"),
                             events.get("compute_post_live_migration_at_destination"))


def test_a_paused_server_rolls_back_paused(client, server, monkeypatch):
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    assert client.post(f"/v2.1/servers/{server}/action", json={"pause": None}).status_code == 202

    def fail(*args, **kwargs):
        raise RuntimeError("injected")

    monkeypatch.setattr(rs.manager(source).driver, "live_migration", fail)
    assert _migrate(client, server).status_code == 202
    _assert_rolled_back(client, server, source, "PAUSED", libvirt.VIR_DOMAIN_PAUSED)


def test_no_room_anywhere_else_is_a_migration_error(client, server, monkeypatch):
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    # The other host is disabled: the scheduler finds no destination.
    services = client.get("/v2.1/os-services", headers=mv("2.53")).get_json()["services"]
    [other] = [s for s in services if s["host"] == rs.other(source)]
    reply = client.put(f"/v2.1/os-services/{other['id']}", json={"status": "disabled"},
                       headers=mv("2.53"))
    assert reply.status_code == 200, reply.get_json()
    assert _migrate(client, server).status_code == 202
    assert rs.where(client, server)[:3] == (source, "ACTIVE", None)
    assert set(rs.claims(server)) == {source}
    migration = _migration(server)
    assert migration.status == "error" and "No valid host" in migration.error
    assert _events(client, server)["conductor_live_migrate_instance"] == "Error"


# second deliveries and restarts
def test_second_deliveries_find_their_work_done(client, server):
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    dest = rs.other(source)
    assert _migrate(client, server).status_code == 202
    migration = _migration(server)
    ctxt = get_admin_context()
    instance = ConductorAPI().instance_get(ctxt, server)
    # The conductor's message, the source's and the destination's, again.
    ComputeTaskAPI().live_migrate_instance(ctxt, server, None, None)
    rs.manager(source).live_migrations.live_migration(ctxt, instance, migration, migration.migrate_data)
    rs.manager(dest).live_migrations.post_live_migration_at_destination(ctxt, instance, migration,
                                                      migration.migrate_data)
    rs.manager(dest).live_migrations.rollback_live_migration_at_destination(ctxt, instance,
                                                          migration.migrate_data)
    _assert_moved(client, server, source, dest)
    assert len(ConductorAPI().migration_get_all(ctxt, {"instance_uuid": server})) == 1


def test_second_delivery_of_the_scheduler_reply_keeps_one_claim(client, server):
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    assert _migrate(client, server).status_code == 202
    migration = _migration(server)
    from stratus.common.objects import Selection
    from stratus.common.rpc import to_primitive

    node = rs.manager(source).conductor_api.compute_node_get_all(get_admin_context())
    [dest_node] = [n for n in node if n.host == rs.other(source)]
    reply = {"result": to_primitive([[Selection(host=dest_node.host, nodename=dest_node.host,
                                                compute_node_id=dest_node.id, claimed=True)]])}
    from stratus.conductor import tasks as conductor_tasks

    conductor_tasks._compute_task().live_migration.live_migrate_on_selection(
        get_admin_context(), server, migration.id, None, reply)
    _assert_moved(client, server, source, rs.other(source))


def test_restart_of_the_source_mid_migration_rolls_back(client, server):
    """The source stopped while libvirt moved the guest (status migrating,
    the guest still here): its start-up rolls the move back."""
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    dest = rs.other(source)
    ctxt, conductor = get_admin_context(), ConductorAPI()
    instance = conductor.instance_update(ctxt, server, {"task_state": TaskState.MIGRATING})
    [dest_node] = [n for n in conductor.compute_node_get_all(ctxt) if n.host == dest]
    assert conductor.claim_resources(ctxt, server, dest_node.id, 1, 64, 1)
    made = conductor.migration_create(ctxt, {
        "instance_uuid": server, "migration_type": MigrationType.LIVE_MIGRATION,
        "status": MigrationStatus.MIGRATING, "source_compute": source, "source_node": source,
        "dest_compute": dest, "dest_node": dest, "dest_node_id": dest_node.id})
    rs.manager(source).recovery.init_instances(ctxt)
    _assert_rolled_back(client, server, source)
    assert conductor.migration_get(ctxt, made.id).status == "error"
    assert instance.host == source


def test_restart_of_the_source_after_the_guest_moved_hands_over(client, server):
    """The source stopped after the guest moved (post-migrating): its
    start-up has the destination take the server over."""
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    dest = rs.other(source)
    ctxt, conductor = get_admin_context(), ConductorAPI()
    instance = conductor.instance_update(ctxt, server, {"task_state": TaskState.MIGRATING})
    data = rs.manager(dest).live_migrations.check_can_live_migrate_destination(ctxt, instance, None)
    rs.manager(dest).live_migrations.pre_live_migration(ctxt, instance, data)
    [dest_node] = [n for n in conductor.compute_node_get_all(ctxt) if n.host == dest]
    [source_node] = [n for n in conductor.compute_node_get_all(ctxt) if n.host == source]
    assert conductor.claim_resources(ctxt, server, dest_node.id, 1, 64, 1)
    conductor.migration_create(ctxt, {
        "instance_uuid": server, "migration_type": MigrationType.LIVE_MIGRATION,
        "status": MigrationStatus.POST_MIGRATING, "source_compute": source,
        "source_node": source, "source_node_id": source_node.id, "dest_compute": dest,
        "dest_node": dest, "dest_node_id": dest_node.id, "migrate_data": data})
    rs.manager(source).recovery.init_instances(ctxt)
    _assert_moved(client, server, source, dest)
