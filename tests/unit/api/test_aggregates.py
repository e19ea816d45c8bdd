"""os-aggregates on the eager stack: CRUD and Nova's errors, hosts and
metadata, and what a zone given by an aggregate changes: the zone
listing, a server's zone, scheduling by zone and by the flavor's
aggregate_instance_extra_specs."""
import pytest

from tests.unit.api import stack
from tests.unit.api.conftest import act_as, mv


@pytest.fixture
def api(client, db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path)
    reporters = stack.start_hosts(monkeypatch, {"h1": "nova", "h2": "nova"})
    yield client
    stack.stop_hosts(reporters)


def _create(client, name="agg1", zone=None, version="2.1"):
    body = {"aggregate": {"name": name, **({"availability_zone": zone} if zone else {})}}
    return client.post("/v2.1/os-aggregates", json=body, headers=mv(version))


def _action(client, agg_id, body):
    return client.post(f"/v2.1/os-aggregates/{agg_id}/action", json=body)


def test_create_show_list_update_delete(api):
    reply = _create(api, zone="az9", version="2.41")
    assert reply.status_code == 200
    created = reply.get_json()["aggregate"]
    assert "hosts" not in created and "metadata" not in created
    assert (created["name"], created["availability_zone"], created["deleted"]) == (
        "agg1", "az9", False)
    assert created["uuid"] and created["deleted_at"] is None and created["created_at"]
    agg_id = created["id"]
    shown = api.get(f"/v2.1/os-aggregates/{agg_id}").get_json()["aggregate"]
    assert shown["hosts"] == [] and shown["metadata"] == {"availability_zone": "az9"}
    assert "uuid" not in shown
    reply = api.put(f"/v2.1/os-aggregates/{agg_id}", json={"aggregate": {"name": "renamed"}})
    assert reply.status_code == 200
    assert reply.get_json()["aggregate"]["name"] == "renamed"
    assert reply.get_json()["aggregate"]["updated_at"]
    listed = api.get("/v2.1/os-aggregates").get_json()["aggregates"]
    assert [a["name"] for a in listed] == ["renamed"]
    reply = api.delete(f"/v2.1/os-aggregates/{agg_id}")
    assert reply.status_code == 200 and reply.data == b""
    assert api.get(f"/v2.1/os-aggregates/{agg_id}").status_code == 404


@pytest.mark.parametrize("body", [{"aggregate": {"name": ""}}, {"aggregate": {"name": "a" * 256}},
                                  {"aggregate": {}}, {"aggregate": {"name": "x", "foo": 1}},
                                  {"aggregate": {"name": "x", "availability_zone": "a:b"}},
                                  {"aggregate": {"name": " x"}}, {}])
def test_bad_bodies_are_400(api, body):
    reply = api.post("/v2.1/os-aggregates", json=body)
    assert reply.status_code == 400 and "badRequest" in reply.get_json()


def test_duplicate_name_409_unknown_404_bad_id_400(api):
    assert _create(api).status_code == 200
    assert _create(api).status_code == 409
    assert api.get("/v2.1/os-aggregates/-1").status_code == 404
    assert api.delete("/v2.1/os-aggregates/99999999999").status_code == 404
    assert api.get("/v2.1/os-aggregates/abc").status_code == 400


def test_non_admins_are_refused(api, monkeypatch):
    agg_id = _create(api).get_json()["aggregate"]["id"]
    act_as(monkeypatch, "u1", "p1", ("member",))
    assert api.get("/v2.1/os-aggregates").status_code == 403
    assert _create(api, "other").status_code == 403
    assert api.get(f"/v2.1/os-aggregates/{agg_id}").status_code == 403
    assert api.delete(f"/v2.1/os-aggregates/{agg_id}").status_code == 403
    assert _action(api, agg_id, {"add_host": {"host": "h1"}}).status_code == 403


def test_hosts_and_metadata(api):
    agg_id = _create(api).get_json()["aggregate"]["id"]
    reply = _action(api, agg_id, {"add_host": {"host": "h1"}})
    assert reply.status_code == 200 and reply.get_json()["aggregate"]["hosts"] == ["h1"]
    assert _action(api, agg_id, {"add_host": {"host": "h1"}}).status_code == 409
    assert _action(api, agg_id, {"add_host": {"host": "nowhere"}}).status_code == 404
    assert _action(api, agg_id, {"remove_host": {"host": "h2"}}).status_code == 404
    assert api.delete(f"/v2.1/os-aggregates/{agg_id}").status_code == 400  # not empty
    reply = _action(api, agg_id, {"set_metadata": {"metadata": {"ssd": "true", "x": "1"}}})
    assert reply.get_json()["aggregate"]["metadata"] == {"ssd": "true", "x": "1"}
    reply = _action(api, agg_id, {"set_metadata": {"metadata": {"x": None}}})
    assert reply.get_json()["aggregate"]["metadata"] == {"ssd": "true"}
    assert _action(api, agg_id, {"set_metadata": {"metadata": {"a/b": "1"}}}).status_code == 400
    assert _action(api, agg_id, {"set_metadata": {}}).status_code == 400
    reply = _action(api, agg_id, {"remove_host": {"host": "h1"}})
    assert reply.status_code == 200 and reply.get_json()["aggregate"]["hosts"] == []


def test_a_host_is_in_one_zone_only(api):
    first = _create(api, "a", zone="az1").get_json()["aggregate"]["id"]
    second = _create(api, "b", zone="az2").get_json()["aggregate"]["id"]
    assert _action(api, first, {"add_host": {"host": "h1"}}).status_code == 200
    assert _action(api, second, {"add_host": {"host": "h1"}}).status_code == 409
    plain = _create(api, "c").get_json()["aggregate"]["id"]
    assert _action(api, plain, {"add_host": {"host": "h1"}}).status_code == 200
    reply = _action(api, plain, {"set_metadata": {"metadata": {"availability_zone": "az2"}}})
    assert reply.status_code == 400
    reply = _action(api, first, {"set_metadata": {"metadata": {"availability_zone": None}}})
    assert reply.status_code == 400  # Nova refuses an empty zone


def _zone_names(client):
    return {z["zoneName"] for z in client.get("/v2.1/os-availability-zone")
            .get_json()["availabilityZoneInfo"]}


def test_zone_of_an_aggregate_is_its_hosts_zone(api):
    agg_id = _create(api, zone="fast").get_json()["aggregate"]["id"]
    assert _zone_names(api) == {"nova"}
    _action(api, agg_id, {"add_host": {"host": "h2"}})
    assert _zone_names(api) == {"nova", "fast"}
    image = stack.image_id()
    flavor = stack.flavor_id(api)
    server = stack.boot_id(api, flavor, image, availability_zone="fast")
    shown = stack.show(api, server)
    assert shown["OS-EXT-SRV-ATTR:host"] == "h2"
    assert shown["OS-EXT-AZ:availability_zone"] == "fast"
    # Servers on the host: its zone may no longer change.
    reply = api.put(f"/v2.1/os-aggregates/{agg_id}",
                    json={"aggregate": {"availability_zone": "slow"}})
    assert reply.status_code == 400
    assert _action(api, agg_id, {"remove_host": {"host": "h2"}}).status_code == 409


def test_flavor_extra_specs_pick_the_aggregate(api):
    agg_id = _create(api).get_json()["aggregate"]["id"]
    _action(api, agg_id, {"add_host": {"host": "h1"}})
    _action(api, agg_id, {"set_metadata": {"metadata": {"ssd": "true"}}})
    image = stack.image_id()
    flavor = stack.flavor_id(api)
    reply = api.post(f"/v2.1/flavors/{flavor}/os-extra_specs",
                     json={"extra_specs": {"aggregate_instance_extra_specs:ssd": "true"}})
    assert reply.status_code == 200
    for _ in range(3):
        server = stack.boot_id(api, flavor, image)
        assert stack.show(api, server)["OS-EXT-SRV-ATTR:host"] == "h1"
    api.post(f"/v2.1/flavors/{flavor}/os-extra_specs",
             json={"extra_specs": {"aggregate_instance_extra_specs:ssd": "false"}})
    server = stack.boot_id(api, flavor, image)
    assert stack.states(api, server)[0] == "ERROR"
