"""Helpers for the tests of moves (resize, migrate, evacuate, live
migration) on the real eager stack: two compute hosts (rz-a, rz-b) on
libvirt's test driver in this process, each with its own private test
connection."""
from sqlalchemy import select

from tests.unit.api.conftest import mv
from tests.unit.api.stack import configure, show, start_hosts, stop_hosts

HOSTS = ("rz-a", "rz-b")
LATEST = mv("latest")


def serve_hosts(tmp_path, monkeypatch):
    """The body of each test module's `hosts` fixture: rz-a and rz-b
    served in this process until the test ends."""
    configure(monkeypatch, tmp_path)
    reporters = start_hosts(monkeypatch, {host: "nova" for host in HOSTS})
    yield
    stop_hosts(reporters)


def manager(host):
    from stratus.compute import tasks

    return tasks.manager_for(host)


def other(host):
    return HOSTS[1 - HOSTS.index(host)]


def where(client, server_id):
    server = show(client, server_id)
    return (server["OS-EXT-SRV-ATTR:host"], server["status"], server["OS-EXT-STS:task_state"],
            server["flavor"]["original_name"])


def domain(host, server_id):
    """The libvirt domain of the server on `host`, or None."""
    import libvirt

    try:
        return manager(host).driver.connection.lookupByUUIDString(server_id)
    except libvirt.libvirtError:
        return None


def claim_rows(server_id):
    """[(host, vcpus, memory_mb)] of the room held for the server, read
    from the database: its own claims and its migrations' (a resize's
    source room)."""
    from stratus.conductor.db.models import ComputeNode, ResourceClaim
    from stratus.conductor.db.migration_models import Migration
    from stratus.conductor.db.session import transaction

    consumers = select(Migration.uuid).where(Migration.instance_uuid == server_id)
    with transaction() as session:
        return sorted(session.execute(
            select(ComputeNode.host, ResourceClaim.vcpus, ResourceClaim.memory_mb)
            .join(ComputeNode, ComputeNode.id == ResourceClaim.compute_node_id)
            .where((ResourceClaim.instance_uuid == server_id)
                   | ResourceClaim.instance_uuid.in_(consumers))).all())


def claims(server_id):
    """{host: (vcpus, memory_mb)} of the room held for the server."""
    return {host: (vcpus, memory) for host, vcpus, memory in claim_rows(server_id)}


def migrations(client, server_id):
    reply = client.get(f"/v2.1/os-migrations?instance_uuid={server_id}", headers=mv("2.59"))
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()["migrations"]


def last_migration(server_id):
    from stratus.conductor.rpcapi import ConductorAPI
    from stratus.common.context import get_admin_context

    return ConductorAPI().migration_get_all(get_admin_context(),
                                            {"instance_uuid": server_id})[0]


def actions(client, server_id):
    reply = client.get(f"/v2.1/servers/{server_id}/os-instance-actions", headers=LATEST)
    return [a["action"] for a in reply.get_json()["instanceActions"]]


def force_down(client, host, down=True):
    services = client.get("/v2.1/os-services", headers=mv("2.53")).get_json()["services"]
    service_id = next(s["id"] for s in services if s["host"] == host)
    reply = client.put(f"/v2.1/os-services/{service_id}", json={"forced_down": down},
                       headers=mv("2.53"))
    assert reply.status_code == 200, reply.get_json()

