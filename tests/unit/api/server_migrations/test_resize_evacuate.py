"""evacuate through the API on the real eager stack (two compute hosts on
libvirt's test driver in this process), and the start-up recovery that
removes evacuated guests from the host they left."""
import libvirt

from tests.unit.api.conftest import mv
from tests.unit.api.server_migrations import two_hosts as rs
from tests.unit.api.stack import act
from stratus.conductor.rpcapi import ConductorAPI
from stratus.common.context import get_admin_context


def _evacuate(client, server_id, body=None, version="2.29"):
    return act(client, server_id, {"evacuate": body or {}}, headers=mv(version))


def _source(client, server_id):
    return rs.show(client, server_id)["OS-EXT-SRV-ATTR:host"]


def test_refused_while_the_source_is_up(client, server):
    reply = _evacuate(client, server)
    assert reply.status_code == 409, reply.get_json()
    assert reply.get_json()["conflictingRequest"]["message"] == (
        f"Compute service of {_source(client, server)} is still in use.")
    assert rs.where(client, server)[1:3] == ("ACTIVE", None)


def test_evacuate_from_a_forced_down_host(client, server):
    source = _source(client, server)
    dest = rs.other(source)
    rs.force_down(client, source)
    reply = _evacuate(client, server)
    assert (reply.status_code, reply.data) == (200, b""), reply.get_json()
    assert rs.where(client, server) == (dest, "ACTIVE", None, "mv.small")
    assert rs.claims(server) == {dest: (1, 64)}
    assert rs.domain(dest, server).state()[0] == libvirt.VIR_DOMAIN_RUNNING
    migration = rs.last_migration(server)
    assert (migration.migration_type, migration.status, migration.source_compute,
            migration.dest_compute) == ("evacuation", "done", source, dest)
    assert rs.actions(client, server)[0] == "evacuate"
    # The old host comes back: its guest of the server goes, the record stays.
    assert rs.domain(source, server) is not None
    rs.manager(source).recovery.init_instances(get_admin_context())
    assert rs.domain(source, server) is None
    assert rs.last_migration(server).status == "completed"
    assert rs.domain(dest, server).state()[0] == libvirt.VIR_DOMAIN_RUNNING


def test_before_2_14_the_password_is_answered(client, server):
    rs.force_down(client, _source(client, server))
    reply = _evacuate(client, server, {"onSharedStorage": False, "adminPass": "s3cret"},
                      version="2.13")
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json() == {"adminPass": "s3cret"}
    missing = _evacuate(client, server, {}, version="2.13")
    assert missing.status_code == 400


def test_a_stopped_server_stays_stopped_on_a_forced_host(client, server):
    assert act(client, server, {"os-stop": None}).status_code == 202
    source = _source(client, server)
    rs.force_down(client, source)
    reply = _evacuate(client, server, {"host": rs.other(source), "force": True})
    assert reply.status_code == 200, reply.get_json()
    assert rs.where(client, server)[:3] == (rs.other(source), "SHUTOFF", None)
    assert rs.claims(server) == {rs.other(source): (1, 64)}


def test_no_valid_host_fails_the_migration_and_keeps_the_server(client, server):
    source = _source(client, server)
    services = client.get("/v2.1/os-services", headers=mv("2.53")).get_json()["services"]
    other_id = next(s["id"] for s in services if s["host"] == rs.other(source))
    client.put(f"/v2.1/os-services/{other_id}", json={"status": "disabled"}, headers=mv("2.53"))
    rs.force_down(client, source)
    assert _evacuate(client, server).status_code == 200
    assert rs.where(client, server)[:3] == (source, "ACTIVE", None)
    assert rs.claims(server) == {source: (1, 64)}
    assert rs.last_migration(server).status == "failed"
    instance = ConductorAPI().instance_get(get_admin_context(), server)
    assert instance.fault["message"].startswith("No valid host was found.")


def test_request_checks(client, server):
    source = _source(client, server)
    rs.force_down(client, source)
    assert _evacuate(client, server, {"force": True}).status_code == 400
    assert _evacuate(client, server, {"host": "nowhere"}).status_code == 404
    assert _evacuate(client, server, {"host": source}).status_code == 400
    assert _evacuate(client, server, {"bogus": 1}).status_code == 400
    assert rs.where(client, server)[:3] == (source, "ACTIVE", None)


def test_recovery_leaves_the_old_guest_of_a_resized_server_alone(client, server):
    source = _source(client, server)
    reply = act(client, server, {"migrate": None})
    assert reply.status_code == 202, reply.get_json()
    assert rs.where(client, server)[1] == "VERIFY_RESIZE"
    rs.manager(source).recovery.migrations.destroy_evacuated_guests(get_admin_context())
    rs.manager(source).recovery.init_instances(get_admin_context())
    assert rs.domain(source, server) is not None
    assert act(client, server, {"revertResize": None}).status_code == 202
    assert rs.where(client, server)[:3] == (source, "ACTIVE", None)


def test_from_2_95_the_evacuated_server_ends_stopped(client, server):
    source = _source(client, server)
    rs.force_down(client, source)
    assert _evacuate(client, server, version="2.95").status_code == 200
    assert rs.where(client, server)[:3] == (rs.other(source), "SHUTOFF", None)
    assert rs.domain(rs.other(source), server).state()[0] == libvirt.VIR_DOMAIN_SHUTOFF
