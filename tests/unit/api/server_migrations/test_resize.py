"""resize, confirmResize, revertResize and migrate through the API on the
real eager stack (conductor on SQLite, scheduler, two compute hosts on
libvirt's test driver): states, hosts, guests and claims at each step."""
import libvirt

from tests.unit.api.conftest import act_as, mv
from tests.unit.api.server_migrations import two_hosts as rs
from tests.unit.api.stack import act, flavor_id


def _resize(client, server_id, flavor):
    return act(client, server_id, {"resize": {"flavorRef": flavor}})


def _resized(client, server_id, flavor):
    source = rs.show(client, server_id)["OS-EXT-SRV-ATTR:host"]
    reply = _resize(client, server_id, flavor)
    assert (reply.status_code, reply.data) == (202, b""), reply.get_json()
    return source, rs.other(source)


def test_resize_ends_in_verify_resize_on_the_other_host_holding_both_claims(client, server,
                                                                             flavors):
    source, dest = _resized(client, server, flavors["big"])
    assert rs.where(client, server) == (dest, "VERIFY_RESIZE", None, "mv.big")
    assert rs.claims(server) == {source: (1, 64), dest: (2, 128)}
    new = rs.domain(dest, server)
    assert new.state()[0] == libvirt.VIR_DOMAIN_RUNNING
    assert new.info()[3] == 2  # vCPUs of the new flavor
    # The old guest stays, powered off, for a revert.
    assert rs.domain(source, server).state()[0] == libvirt.VIR_DOMAIN_SHUTOFF
    migration = rs.last_migration(server)
    assert (migration.migration_type, migration.status, migration.source_compute,
            migration.dest_compute) == ("resize", "finished", source, dest)
    assert (migration.old_flavor.name, migration.new_flavor.name) == ("mv.small", "mv.big")
    assert rs.actions(client, server)[0] == "resize"


def test_confirm_keeps_one_claim_of_the_new_size_and_removes_the_old_guest(client, server,
                                                                            flavors):
    source, dest = _resized(client, server, flavors["big"])
    reply = act(client, server, {"confirmResize": None})
    assert (reply.status_code, reply.data) == (204, b"")
    assert rs.where(client, server) == (dest, "ACTIVE", None, "mv.big")
    assert rs.claims(server) == {dest: (2, 128)}
    assert rs.domain(source, server) is None
    assert rs.domain(dest, server).state()[0] == libvirt.VIR_DOMAIN_RUNNING
    assert rs.last_migration(server).status == "confirmed"
    assert rs.actions(client, server)[0] == "confirmResize"
    # Confirmed once: a second confirm finds nothing to confirm.
    assert act(client, server, {"confirmResize": None}).status_code == 409


def test_revert_goes_back_to_the_source_with_the_old_flavor_and_one_claim(client, server,
                                                                          flavors):
    source, dest = _resized(client, server, flavors["big"])
    reply = act(client, server, {"revertResize": None})
    assert (reply.status_code, reply.data) == (202, b"")
    assert rs.where(client, server) == (source, "ACTIVE", None, "mv.small")
    assert rs.claims(server) == {source: (1, 64)}
    assert rs.domain(dest, server) is None
    old = rs.domain(source, server)
    assert old.state()[0] == libvirt.VIR_DOMAIN_RUNNING
    assert old.info()[3] == 1
    assert rs.last_migration(server).status == "reverted"
    assert rs.actions(client, server)[0] == "revertResize"


def test_a_stopped_server_is_resized_and_confirmed_stopped(client, server, flavors):
    assert act(client, server, {"os-stop": None}).status_code == 202
    source, dest = _resized(client, server, flavors["big"])
    assert rs.where(client, server)[1] == "VERIFY_RESIZE"
    assert rs.domain(dest, server).state()[0] == libvirt.VIR_DOMAIN_SHUTOFF
    assert act(client, server, {"confirmResize": None}).status_code == 204
    assert rs.where(client, server) == (dest, "SHUTOFF", None, "mv.big")


def test_resize_refusals(client, server, flavors):
    def bad(flavor):
        reply = _resize(client, server, flavor)
        assert reply.status_code == 400, reply.get_json()
        return reply.get_json()["badRequest"]["message"]

    assert bad(flavors["small"]) == "When resizing, instances must change flavor!"
    assert bad("no-such-flavor") == "Flavor no-such-flavor could not be found."
    reply = client.post("/v2.1/flavors", json={"flavor": {
        "name": "rz.nodisk", "ram": 64, "vcpus": 1, "disk": 0, "id": None}})
    assert "smaller disk flavor is not allowed" in bad(reply.get_json()["flavor"]["id"])
    assert act(client, server, {"resize": {}}).status_code == 400
    # Nothing was started: the server is as it was, with one claim.
    assert rs.where(client, server)[1:] == ("ACTIVE", None, "mv.small")
    assert len(rs.claims(server)) == 1


def test_confirm_and_revert_need_a_resized_server(client, server):
    for action in ("confirmResize", "revertResize"):
        reply = act(client, server, {action: None})
        assert reply.status_code == 409, reply.get_json()
        assert "vm_state active" in reply.get_json()["conflictingRequest"]["message"]


def test_resize_up_counts_against_the_cores_quota(client, server, flavors):
    project = rs.show(client, server)["tenant_id"]
    reply = client.put(f"/v2.1/os-quota-sets/{project}", json={"quota_set": {"cores": 1}})
    assert reply.status_code == 200, reply.get_json()
    reply = _resize(client, server, flavors["big"])
    assert reply.status_code == 403, reply.get_json()
    assert "Quota exceeded for cores" in reply.get_json()["forbidden"]["message"]
    assert rs.where(client, server)[1:3] == ("ACTIVE", None)


def test_no_valid_host_is_a_400_that_leaves_the_server_as_it_was(client, server):
    huge = flavor_id(client, "rz.huge", vcpus=1, ram=50000)  # more than a host has
    reply = _resize(client, server, huge)
    assert reply.status_code == 400, reply.get_json()
    assert reply.get_json()["badRequest"]["message"].startswith("No valid host was found.")
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    assert rs.where(client, server) == (source, "ACTIVE", None, "mv.small")
    assert list(rs.claims(server)) == [source]
    assert rs.last_migration(server).status == "error"


def test_migrate_moves_the_server_with_its_flavor(client, server):
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    reply = act(client, server, {"migrate": None})
    assert (reply.status_code, reply.data) == (202, b""), reply.get_json()
    dest = rs.other(source)
    assert rs.where(client, server) == (dest, "VERIFY_RESIZE", None, "mv.small")
    assert rs.claims(server) == {source: (1, 64), dest: (1, 64)}
    assert rs.last_migration(server).migration_type == "migration"
    assert act(client, server, {"confirmResize": None}).status_code == 204
    assert rs.claims(server) == {dest: (1, 64)}
    assert rs.actions(client, server)[:2] == ["confirmResize", "migrate"]


def test_migrate_to_a_named_host(client, server):
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    same = act(client, server, {"migrate": {"host": source}}, headers=mv("2.56"))
    assert same.status_code == 400
    unknown = act(client, server, {"migrate": {"host": "nowhere"}}, headers=mv("2.56"))
    assert unknown.status_code == 400, unknown.get_json()
    assert "nowhere" in unknown.get_json()["badRequest"]["message"]
    reply = act(client, server, {"migrate": {"host": rs.other(source)}}, headers=mv("2.56"))
    assert reply.status_code == 202, reply.get_json()
    assert rs.where(client, server)[:2] == (rs.other(source), "VERIFY_RESIZE")


def test_a_named_host_must_pass_the_filters(client, server):
    source = rs.show(client, server)["OS-EXT-SRV-ATTR:host"]
    dest = rs.other(source)
    services = client.get("/v2.1/os-services", headers=mv("2.53")).get_json()["services"]
    service_id = next(s["id"] for s in services if s["host"] == dest)
    client.put(f"/v2.1/os-services/{service_id}", json={"status": "disabled"}, headers=mv("2.53"))
    reply = act(client, server, {"migrate": {"host": dest}}, headers=mv("2.56"))
    assert reply.status_code == 400, reply.get_json()
    assert rs.where(client, server)[:3] == (source, "ACTIVE", None)


def test_migrate_is_for_admins_resize_for_the_owner(client, server, flavors, monkeypatch):
    act_as(monkeypatch, "member", rs.show(client, server)["tenant_id"], ["member"])
    assert act(client, server, {"migrate": None}).status_code == 403
    assert act(client, server, {"evacuate": {}}).status_code == 403
    assert _resize(client, server, flavors["big"]).status_code == 202
    assert act(client, server, {"confirmResize": None}).status_code == 204


def test_deleting_a_resized_server_removes_its_old_guest_too(client, server, flavors):
    source, dest = _resized(client, server, flavors["big"])
    assert client.delete(f"/v2.1/servers/{server}").status_code == 204
    assert client.get(f"/v2.1/servers/{server}").status_code == 404
    assert rs.domain(source, server) is None
    assert rs.domain(dest, server) is None
    assert rs.claims(server) == {}
    assert rs.last_migration(server).status == "confirmed"
