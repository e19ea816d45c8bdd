"""createImage, shelve, shelveOffload, unshelve and rebuild through the API
on the real eager stack: conductor and scheduler on SQLite, compute hosts
on libvirt's test driver, every message run in this process."""
import hashlib

import libvirt
import pytest
from sqlalchemy import select

from tests.unit.api import stack
from tests.unit.api.conftest import act_as, mv
from stratus.common.context import get_admin_context

LATEST = mv("latest")


@pytest.fixture
def cloud(db, roles, tmp_path, monkeypatch):
    """Two hosts (snap-a, snap-b) in zone nova; shelved servers are
    offloaded at once unless a test says otherwise."""
    stack.configure(monkeypatch, tmp_path)
    reporters = stack.start_hosts(monkeypatch, {"snap-a": "nova", "snap-b": "nova"})
    yield tmp_path
    stack.stop_hosts(reporters)


@pytest.fixture
def image(cloud):
    return stack.image_id()


@pytest.fixture
def flavor(client, cloud):
    return stack.flavor_id(client)


@pytest.fixture
def server(client, flavor, image):
    return stack.boot_id(client, flavor, image)


def _conductor():
    from stratus.conductor.rpcapi import ConductorAPI

    return ConductorAPI()


def _instance(server_id):
    return _conductor().instance_get(get_admin_context(), server_id)


def _manager(host):
    from stratus.compute import tasks

    return tasks.manager_for(host)


def _claims(server_id):
    """[host] of the server's claims, from the database."""
    from stratus.conductor.db.models import ComputeNode, ResourceClaim
    from stratus.conductor.db.session import transaction

    with transaction() as session:
        return sorted(session.scalars(select(ComputeNode.host).join(
            ResourceClaim, ResourceClaim.compute_node_id == ComputeNode.id).where(
            ResourceClaim.instance_uuid == server_id)))


def _events(client, server_id, action):
    actions = client.get(f"/v2.1/servers/{server_id}/os-instance-actions",
                         headers=LATEST).get_json()["instanceActions"]
    [request_id] = [a["request_id"] for a in actions if a["action"] == action]
    detail = client.get(f"/v2.1/servers/{server_id}/os-instance-actions/{request_id}",
                        headers=LATEST).get_json()["instanceAction"]
    return {e["event"]: e["result"] for e in detail["events"]}


def _conflict(reply):
    assert reply.status_code == 409, reply.get_json()
    return reply.get_json()["conflictingRequest"]["message"]


def _bad(reply):
    assert reply.status_code == 400, reply.get_json()
    return reply.get_json()["badRequest"]["message"]


def _set_service(host, disabled):
    services = _conductor().service_get_all(get_admin_context())
    [service] = [s for s in services if s.host == host and "compute" in s.binary]
    _conductor().service_save(get_admin_context(), service.id, {"disabled": disabled})


# createImage
def test_create_image_makes_a_bootable_active_image(client, cloud, server, flavor):
    reply = stack.act(client, server, {"createImage": {"name": "snap", "metadata": {"k": "v"}}})
    assert reply.status_code == 202
    image_id = reply.get_json()["image_id"]
    image = _conductor().image_get(get_admin_context(), image_id)
    path = cloud / "images" / f"{image_id}.{image.disk_format}"
    assert (image.status, image.name, image.file, image.size) == (
        "active", "snap", path.name, path.stat().st_size)
    assert image.checksum == hashlib.md5(path.read_bytes()).hexdigest()
    assert not list((cloud / "images").glob(".*"))  # nothing staged is left behind
    assert stack.states(client, server) == ("ACTIVE", "active", None)
    assert _events(client, server, "createImage") == {"compute_snapshot_instance": "Success"}
    booted = stack.boot_id(client, flavor, image_id)
    assert stack.states(client, booted) == ("ACTIVE", "active", None)
    assert image.properties["image_type"] == "snapshot"


def test_create_image_metadata_may_name_the_image_type(client, server):
    """The request's metadata is applied last, as Nova's (Tempest sets
    image_type to its own value)."""
    reply = stack.act(client, server, {"createImage": {"name": "s",
                                                       "metadata": {"image_type": "test"}}})
    image = _conductor().image_get(get_admin_context(), reply.get_json()["image_id"])
    assert image.properties["image_type"] == "test"


def test_create_image_before_2_45_answers_a_location(client, server):
    reply = stack.act(client, server, {"createImage": {"name": "snap"}}, mv("2.44"))
    assert (reply.status_code, reply.data) == (202, b"")
    image_id = reply.headers["Location"].rsplit("/", 1)[1]
    assert _conductor().image_get(get_admin_context(), image_id).status == "active"


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": 3}, {"name": "x", "other": 1},
                                  None, {"name": "x", "metadata": {"k": 1}}])
def test_create_image_bad_bodies(client, server, body):
    _bad(stack.act(client, server, {"createImage": body}))


def test_create_image_from_stopped_and_paused(client, server):
    for first in ({"os-stop": None}, {"os-start": None}, {"pause": None}):
        assert stack.act(client, server, first).status_code == 202
        if first == {"os-start": None}:
            continue
        assert stack.act(client, server, {"createImage": {"name": "s"}}).status_code == 202
    assert stack.states(client, server) == ("PAUSED", "paused", None)


def test_create_image_refused_while_another_task_runs(client, server):
    _conductor().instance_update(get_admin_context(), server, {"task_state": "rebooting"})
    before = len(_conductor().image_get_all(get_admin_context(), {}))
    assert "task_state rebooting" in _conflict(stack.act(client, server,
                                                    {"createImage": {"name": "s"}}))
    # The queued image made for it was removed again.
    assert len(_conductor().image_get_all(get_admin_context(), {})) == before


def test_failed_snapshot_removes_the_image_and_leaves_the_server(client, cloud, server):
    # The test driver's snapshot copies the image file: without it the
    # driver fails, as a disk that cannot be read would.
    (cloud / "images" / "cirros.qcow2").unlink()
    reply = stack.act(client, server, {"createImage": {"name": "broken"}})
    assert reply.status_code == 202
    image_id = reply.get_json()["image_id"]
    assert not _conductor().image_get_all(get_admin_context(), {"ids": [image_id]})
    assert stack.states(client, server) == ("ACTIVE", "active", None)
    assert _events(client, server, "createImage") == {"compute_snapshot_instance": "Error"}
    assert _instance(server).system_metadata.get("snapshot_image_id") is None


def test_snapshot_message_delivered_twice_does_nothing_twice(client, server):
    image_id = stack.act(client, server, {"createImage": {"name": "s"}}).get_json()["image_id"]
    instance = _instance(server)
    instance.task_state = "image_snapshot_pending"  # the message as it was sent
    _manager(instance.host).snapshots.snapshot_instance(get_admin_context(), instance, image_id)
    assert _conductor().image_get(get_admin_context(), image_id).status == "active"
    assert _events(client, server, "createImage") == {"compute_snapshot_instance": "Success"}


@pytest.mark.parametrize("body, key", [({"createImage": {"name": "s"}}, "snapshot_image_id"),
                                       ({"shelve": None}, "shelved_image_id")])
def test_the_image_being_written_is_named_from_the_first_save(client, server, monkeypatch,
                                                               body, key):
    """Before any host takes the message, the server already names the
    queued image, so the reaper can remove it if the message is lost."""
    from stratus.compute.rpcapi import ComputeAPI

    monkeypatch.setattr(ComputeAPI, "snapshot_instance", lambda *args, **kwargs: None)
    monkeypatch.setattr(ComputeAPI, "shelve_instance", lambda *args, **kwargs: None)
    assert stack.act(client, server, body).status_code == 202
    image_id = _instance(server).system_metadata[key]
    assert _conductor().image_get(get_admin_context(), image_id).status == "queued"


# shelve, shelveOffload, unshelve
def test_shelve_offloads_at_once_and_unshelve_places_it_again(client, server):
    assert stack.act(client, server, {"shelve": None}).status_code == 202
    assert stack.states(client, server) == ("SHELVED_OFFLOADED", "shelved_offloaded", None)
    shelved = _instance(server)
    assert (shelved.host, shelved.node, _claims(server)) == (None, None, [])
    image_id = shelved.system_metadata["shelved_image_id"]
    assert shelved.system_metadata["shelved_host"] in ("snap-a", "snap-b")
    image = _conductor().image_get(get_admin_context(), image_id)
    assert (image.status, image.name) == ("active", "op-shelved")
    assert _manager(shelved.system_metadata["shelved_host"]).driver.list_instance_uuids() == []

    assert stack.act(client, server, {"unshelve": None}).status_code == 202
    assert stack.states(client, server) == ("ACTIVE", "active", None)
    unshelved = _instance(server)
    assert _claims(server) == [unshelved.host]
    assert _manager(unshelved.host).driver.get_info(unshelved) == 1
    assert not any(k.startswith("shelved") for k in unshelved.system_metadata)
    assert not _conductor().image_get_all(get_admin_context(), {"ids": [image_id]})
    assert _events(client, server, "unshelve") == {"conductor_unshelve_instance": "Success",
                                                   "compute_unshelve_instance": "Success"}


def test_shelve_kept_then_offload_by_admin_only(client, monkeypatch, tmp_path, server):
    monkeypatch.setenv("STRATUS_SHELVED_OFFLOAD_TIME", "-1")
    from stratus import config

    config.reset_settings()
    assert stack.act(client, server, {"os-stop": None}).status_code == 202
    assert stack.act(client, server, {"shelve": None}).status_code == 202
    assert stack.states(client, server) == ("SHELVED", "shelved", None)
    host = _instance(server).host
    assert _claims(server) == [host]
    domain = _manager(host).driver.connection.lookupByUUIDString(server)
    assert domain.state()[0] == libvirt.VIR_DOMAIN_SHUTOFF

    act_as(monkeypatch, "u-member", "default", ("member",))
    reply = stack.act(client, server, {"shelveOffload": None})
    assert reply.status_code == 403, reply.get_json()
    act_as(monkeypatch, "admin", "default", ("admin",))
    assert stack.act(client, server, {"shelveOffload": None}).status_code == 202
    assert stack.states(client, server) == ("SHELVED_OFFLOADED", "shelved_offloaded", None)
    assert _claims(server) == []
    assert "shelved_offloaded" in _conflict(stack.act(client, server, {"shelveOffload": None}))


def test_unshelve_of_a_shelved_server_starts_it_on_its_host(client, monkeypatch, server):
    monkeypatch.setenv("STRATUS_SHELVED_OFFLOAD_TIME", "-1")
    from stratus import config

    config.reset_settings()
    assert stack.act(client, server, {"shelve": None}).status_code == 202
    host = _instance(server).host
    image_id = _instance(server).system_metadata["shelved_image_id"]
    assert "not supported" in _conflict(stack.act(client, server, {"unshelve": {
        "availability_zone": "nova"}}, mv("2.77")))
    assert stack.act(client, server, {"unshelve": None}).status_code == 202
    assert stack.states(client, server) == ("ACTIVE", "active", None)
    assert (_instance(server).host, _claims(server)) == (host, [host])
    assert not _conductor().image_get_all(get_admin_context(), {"ids": [image_id]})


def test_periodic_offload_of_old_shelved_servers(client, monkeypatch, server):
    monkeypatch.setenv("STRATUS_SHELVED_OFFLOAD_TIME", "3600")
    from stratus import config

    config.reset_settings()
    assert stack.act(client, server, {"shelve": None}).status_code == 202
    instance = _instance(server)
    _manager(instance.host).offload_shelved_instances(get_admin_context())
    assert stack.states(client, server)[1] == "shelved"  # not an hour old yet
    metadata = dict(instance.system_metadata, shelved_at="2000-01-01T00:00:00")
    _conductor().instance_update(get_admin_context(), server, {"system_metadata": metadata})
    _manager(instance.host).offload_shelved_instances(get_admin_context())
    assert stack.states(client, server)[1] == "shelved_offloaded"
    assert _claims(server) == []


def test_unshelve_with_no_valid_host_stays_offloaded(client, server):
    assert stack.act(client, server, {"shelve": None}).status_code == 202
    for host in ("snap-a", "snap-b"):
        _set_service(host, True)
    assert stack.act(client, server, {"unshelve": None}).status_code == 202
    assert stack.states(client, server) == ("SHELVED_OFFLOADED", "shelved_offloaded", None)
    assert _claims(server) == []
    assert _events(client, server, "unshelve") == {"conductor_unshelve_instance": "Error"}
    assert "No valid host" in _instance(server).fault["message"]


def test_unshelve_to_a_zone(client, server):
    assert stack.act(client, server, {"shelve": None}).status_code == 202
    assert "not available" in _bad(stack.act(client, server, {"unshelve": {
        "availability_zone": "nowhere"}}, mv("2.77")))
    _bad(stack.act(client, server, {"unshelve": {"host": "snap-a"}}, mv("2.77")))
    assert stack.act(client, server, {"unshelve": {"availability_zone": "nova"}},
                mv("2.77")).status_code == 202
    assert stack.states(client, server) == ("ACTIVE", "active", None)
    assert _instance(server).availability_zone == "nova"


@pytest.mark.parametrize("action, state", [("unshelve", "active"),
                                           ("shelveOffload", "active")])
def test_shelve_actions_refused_from_active(client, server, action, state):
    assert f"vm_state {state}" in _conflict(stack.act(client, server, {action: None}))


def test_shelve_refused_when_shelved(client, server):
    assert stack.act(client, server, {"shelve": None}).status_code == 202
    assert "vm_state shelved_offloaded" in _conflict(stack.act(client, server, {"shelve": None}))
    assert "vm_state shelved_offloaded" in _conflict(
        stack.act(client, server, {"createImage": {"name": "x"}}))


def test_shelve_and_unshelve_messages_delivered_twice(client, server):
    assert stack.act(client, server, {"shelve": None}).status_code == 202
    assert stack.act(client, server, {"unshelve": None}).status_code == 202
    instance = _instance(server)
    manager = _manager(instance.host)
    for task_state, call in (
            ("shelving", lambda i: manager.shelves.shelve_instance(get_admin_context(), i, "gone")),
            ("shelving_offloading",
             lambda i: manager.shelves.shelve_offload_instance(get_admin_context(), i)),
            ("unshelving", lambda i: manager.shelves.unshelve_instance(get_admin_context(), i))):
        stale = _instance(server)
        stale.task_state = task_state
        call(stale)
    from stratus.conductor.rpcapi import ComputeTaskAPI

    ComputeTaskAPI().unshelve_instance(get_admin_context(), server)
    assert stack.states(client, server) == ("ACTIVE", "active", None)
    assert _claims(server) == [instance.host]
    assert manager.driver.get_info(instance) == 1


# rebuild
def _second_image():
    return _conductor().image_create(get_admin_context(), {
        "name": "other", "file": "cirros.qcow2", "size": 16}).id


def test_rebuild_with_the_same_image(client, server, image):
    reply = stack.act(client, server, {"rebuild": {"imageRef": image, "name": "renamed",
                                              "metadata": {"a": "b"}}})
    assert reply.status_code == 202
    body = reply.get_json()["server"]
    assert (body["id"], body["name"], body["status"], body["image"]["id"]) == (
        server, "renamed", "REBUILD", image)
    assert body["adminPass"]
    assert stack.states(client, server) == ("ACTIVE", "active", None)
    assert stack.show(client, server)["metadata"] == {"a": "b"}
    assert _events(client, server, "rebuild") == {"compute_rebuild_instance": "Success"}


def test_rebuild_answers_the_short_view_before_2_75_and_groups_from_2_71(client, server,
                                                                          image):
    def rebuilt(version):
        reply = stack.act(client, server, {"rebuild": {"imageRef": image}}, mv(version))
        assert reply.status_code == 202, reply.get_json()
        return reply.get_json()["server"]

    short, grouped, full = rebuilt("2.70"), rebuilt("2.71"), rebuilt("2.75")
    assert "OS-EXT-STS:vm_state" not in short and "server_groups" not in short
    assert "OS-EXT-STS:vm_state" not in grouped and grouped["server_groups"] == []
    assert full["OS-EXT-STS:vm_state"] and full["server_groups"] == []
    assert all(body["adminPass"] for body in (short, grouped, full))


def test_rebuild_with_a_new_image_from_stopped(client, server):
    other = _second_image()
    host = _instance(server).host
    assert stack.act(client, server, {"os-stop": None}).status_code == 202
    reply = stack.act(client, server, {"rebuild": {"imageRef": other, "adminPass": "s3cret"}})
    assert (reply.status_code, reply.get_json()["server"]["adminPass"]) == (202, "s3cret")
    assert stack.states(client, server) == ("SHUTOFF", "stopped", None)
    instance = _instance(server)
    assert (instance.image_ref, instance.host, _claims(server)) == (other, host, [host])
    assert _events(client, server, "rebuild") == {"conductor_rebuild_instance": "Success",
                                                  "compute_rebuild_instance": "Success"}


def test_rebuild_from_error_ends_active(client, server, image):
    _conductor().instance_update(get_admin_context(), server, {"vm_state": "error"})
    assert stack.act(client, server, {"rebuild": {"imageRef": image}}).status_code == 202
    assert stack.states(client, server) == ("ACTIVE", "active", None)


def test_rebuild_fails_when_the_host_no_longer_passes(client, server):
    other = _second_image()
    _set_service(_instance(server).host, True)
    assert stack.act(client, server, {"rebuild": {"imageRef": other}}).status_code == 202
    assert stack.states(client, server) == ("ERROR", "error", None)
    assert "No valid host" in stack.show(client, server)["fault"]["message"]
    assert _events(client, server, "rebuild") == {"conductor_rebuild_instance": "Error"}
    assert _claims(server) == [_instance(server).host]  # its own claim is kept


def test_rebuild_of_a_server_that_fills_its_host(client, image):
    # The host re-check must not hold the server's own claim against it:
    # counted twice, a server taking all of a host's memory would fail it.
    nodes = _conductor().compute_node_get_all(get_admin_context())
    ram = int(min(n.memory_mb * n.ram_allocation_ratio - n.memory_mb_used for n in nodes))
    server = stack.boot_id(client, stack.flavor_id(client, "whole-host", ram=ram), image)
    assert stack.states(client, server) == ("ACTIVE", "active", None)
    other = _second_image()
    assert stack.act(client, server, {"rebuild": {"imageRef": other}}).status_code == 202
    assert stack.states(client, server) == ("ACTIVE", "active", None)
    assert _instance(server).image_ref == other


@pytest.mark.parametrize("body, version", [
    ({}, "latest"), ({"imageRef": "00000000-0000-0000-0000-00000000dead"}, "latest"),
    ({"imageRef": "x", "description": "d"}, "2.18"),
    ({"imageRef": "x", "key_name": "k"}, "2.53"),
    ({"imageRef": "x", "preserve_ephemeral": "yes"}, "latest"),
    ({"imageRef": "x", "bogus": 1}, "latest")])
def test_rebuild_bad_requests(client, server, body, version):
    _bad(stack.act(client, server, {"rebuild": body}, mv(version)))


def test_rebuild_of_an_image_not_active(client, server):
    queued = _conductor().image_create(get_admin_context(), {"name": "q", "status": "queued"})
    assert "not active" in _bad(stack.act(client, server, {"rebuild": {"imageRef": queued.id}}))


def test_rebuild_refused_while_paused_or_locked(client, monkeypatch, server, image):
    assert stack.act(client, server, {"pause": None}).status_code == 202
    assert "vm_state paused" in _conflict(stack.act(client, server, {"rebuild": {"imageRef": image}}))
    assert stack.act(client, server, {"unpause": None}).status_code == 202
    assert stack.act(client, server, {"lock": None}).status_code == 202
    act_as(monkeypatch, "u-member", "default", ("member",))
    _conflict(stack.act(client, server, {"rebuild": {"imageRef": image}}))


def test_rebuild_message_delivered_twice(client, server, image):
    assert stack.act(client, server, {"rebuild": {"imageRef": image}}).status_code == 202
    stale = _instance(server)
    stale.task_state = "rebuilding"
    before = _instance(server).launched_at
    _manager(stale.host).builds.rebuild_instance(get_admin_context(), stale, image)
    assert _instance(server).launched_at == before
    assert stack.states(client, server) == ("ACTIVE", "active", None)


def test_deleting_a_shelved_server_deletes_its_image(client, cloud, server):
    assert stack.act(client, server, {"shelve": None}).status_code == 202
    image_id = _instance(server).system_metadata["shelved_image_id"]
    image = _conductor().image_get(get_admin_context(), image_id)
    assert (cloud / "images" / image.file).exists()
    assert client.delete(f"/v2.1/servers/{server}").status_code == 204
    assert not _conductor().image_get_all(get_admin_context(), {"ids": [image_id]})
    assert not (cloud / "images" / image.file).exists()


def test_create_image_of_a_suspended_server(client, server):
    assert stack.act(client, server, {"suspend": None}).status_code == 202
    reply = stack.act(client, server, {"createImage": {"name": "s"}})
    assert reply.status_code == 202
    image = _conductor().image_get(get_admin_context(), reply.get_json()["image_id"])
    assert image.status == "active"
    assert stack.states(client, server) == ("SUSPENDED", "suspended", None)


def test_rebuild_to_an_image_the_flavor_cannot_hold(client, server):
    big = _conductor().image_create(get_admin_context(), {
        "name": "big", "file": "cirros.qcow2", "size": 16, "min_ram": 4096}).id
    assert "too small" in _bad(stack.act(client, server, {"rebuild": {"imageRef": big}}))
    assert stack.states(client, server) == ("ACTIVE", "active", None)


def test_rebuild_sets_access_addresses_and_key(client, server, image):
    body = {"imageRef": image, "accessIPv4": "192.0.2.7", "key_name": None}
    assert stack.act(client, server, {"rebuild": body}).status_code == 202
    shown = stack.show(client, server)
    assert (shown["accessIPv4"], shown["key_name"]) == ("192.0.2.7", None)
    assert "Invalid key_name" in _bad(stack.act(client, server, {"rebuild": {
        "imageRef": image, "key_name": "nope"}}))


def test_failed_shelve_runs_the_server_again(client, cloud, server):
    (cloud / "images" / "cirros.qcow2").unlink()  # the test driver's snapshot needs it
    assert stack.act(client, server, {"shelve": None}).status_code == 202
    assert stack.states(client, server) == ("ACTIVE", "active", None)
    instance = _instance(server)
    assert _manager(instance.host).driver.get_info(instance) == 1
    assert "shelved_image_id" not in instance.system_metadata
    assert [i.name for i in _conductor().image_get_all(get_admin_context(), {})] == ["cirros"]
    assert _events(client, server, "shelve") == {"compute_shelve_instance": "Error"}


def test_failed_unshelve_goes_back_to_offloaded_without_a_claim(client, cloud, server):
    assert stack.act(client, server, {"shelve": None}).status_code == 202
    image = _conductor().image_get(get_admin_context(),
                                   _instance(server).system_metadata["shelved_image_id"])
    (cloud / "images" / image.file).unlink()  # the host cannot spawn from it
    assert stack.act(client, server, {"unshelve": None}).status_code == 202
    assert stack.states(client, server) == ("SHELVED_OFFLOADED", "shelved_offloaded", None)
    instance = _instance(server)
    assert (instance.host, _claims(server)) == (None, [])
    assert "could not be found" in instance.fault["message"]
    assert _events(client, server, "unshelve") == {"conductor_unshelve_instance": "Success",
                                                   "compute_unshelve_instance": "Error"}


def test_failed_rebuild_puts_the_server_in_error(client, server):
    fileless = _conductor().image_create(get_admin_context(), {
        "name": "fileless", "file": "missing.qcow2", "size": 16}).id
    assert stack.act(client, server, {"rebuild": {"imageRef": fileless}}).status_code == 202
    assert stack.states(client, server) == ("ERROR", "error", None)
    assert "could not be found" in stack.show(client, server)["fault"]["message"]
    assert _events(client, server, "rebuild") == {"conductor_rebuild_instance": "Success",
                                                  "compute_rebuild_instance": "Error"}
    assert _claims(server) == [_instance(server).host]


def test_user_data_and_description_are_kept_through_create_update_and_rebuild(client, image):
    flavor = stack.flavor_id(client)
    server = stack.boot_id(client, flavor, image, user_data="aGVsbG8=", description="first")
    shown = stack.show(client, server)
    assert (shown["description"], shown["OS-EXT-SRV-ATTR:user_data"]) == ("first", "aGVsbG8=")
    client.put(f"/v2.1/servers/{server}", json={"server": {"description": "second"}},
               headers=mv("2.19"))
    assert stack.show(client, server)["description"] == "second"

    reply = stack.act(client, server, {"rebuild": {"imageRef": image, "user_data": "Ynll"}},
                      mv("2.57"))
    body = reply.get_json()["server"]
    assert (body["user_data"], body["key_name"], body["description"]) == ("Ynll", None, "second")
    full = stack.act(client, server, {"rebuild": {"imageRef": image}}, mv("2.75")).get_json()
    assert "OS-EXT-SRV-ATTR:user_data" not in full["server"] and "user_data" in full["server"]
    assert stack.show(client, server)["OS-EXT-SRV-ATTR:user_data"] == "Ynll"
    bad = stack.act(client, server, {"rebuild": {"imageRef": image, "user_data": "not b64!"}},
                    mv("2.57"))
    assert bad.status_code == 400


def test_unshelve_to_a_host_from_2_91_for_admins(client, server, monkeypatch):
    assert stack.act(client, server, {"shelve": None}).status_code == 202
    assert _instance(server).vm_state == "shelved_offloaded"
    old = stack.act(client, server, {"unshelve": {"host": "snap-b"}}, mv("2.90"))
    assert old.status_code == 400
    unknown = stack.act(client, server, {"unshelve": {"host": "nowhere"}}, mv("2.91"))
    assert unknown.status_code == 400 and "nowhere" in unknown.get_json()["badRequest"]["message"]
    act_as(monkeypatch, "u-member", "default", ("member",))
    assert stack.act(client, server, {"unshelve": {"host": "snap-b"}}, mv("2.91")) \
        .status_code == 403
    act_as(monkeypatch, "admin", "default", ("admin",))
    for host in ("snap-b", "snap-a"):
        assert stack.act(client, server, {"unshelve": {"host": host}}, mv("2.91")) \
            .status_code == 202
        assert (_instance(server).vm_state, _instance(server).host) == ("active", host)
        assert _claims(server) == [host]
        assert stack.act(client, server, {"shelve": None}).status_code == 202
