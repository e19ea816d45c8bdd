"""Nova's error shape, and no malformed request ever yields a 500."""
import json

import pytest

from stratus.common import exception


def _fault(reply, name, code):
    body = reply.get_json()
    assert reply.status_code == code, reply.get_data(as_text=True)
    assert list(body) == [name]
    assert body[name]["code"] == code
    assert isinstance(body[name]["message"], str) and body[name]["message"]
    return body[name]["message"]


def test_unknown_route_is_item_not_found(client):
    _fault(client.get("/v2.1/nothing-here"), "itemNotFound", 404)


def test_wrong_method_is_405(client):
    reply = client.put("/v2.1/os-networks")
    _fault(reply, "badMethod", 405)
    assert "GET" in reply.headers["Allow"]


@pytest.mark.parametrize("body", [
    b"{not json", b"\xff\xfe\x00", b"[" * 100000, b'{"server": ' + b"9" * 5000 + b"}",
])
def test_undecodable_bodies_are_400(client, fake, body):
    reply = client.post("/v2.1/servers", data=body, content_type="application/json")
    assert "Malformed request body" in _fault(reply, "badRequest", 400)


@pytest.mark.parametrize("body, field", [
    ([], "Invalid input"),
    ({}, "server"),
    ({"server": []}, "server"),
    ({"server": {"name": "x"}}, "server.flavorRef"),
    ({"server": {"flavorRef": "1"}}, "server.name"),
    ({"server": {"name": 5, "flavorRef": "1"}}, "server.name"),
    ({"server": {"name": "", "flavorRef": "1"}}, "server.name"),
    ({"server": {"name": "x" * 256, "flavorRef": "1"}}, "server.name"),
    ({"server": {"name": "x", "flavorRef": ["1"]}}, "server.flavorRef"),
    ({"server": {"name": "x", "flavorRef": "1", "metadata": {"a": 1}}}, "server.metadata"),
    ({"server": {"name": "x", "flavorRef": "1", "metadata": []}}, "server.metadata"),
    ({"server": {"name": "x", "flavorRef": "1", "networks": {"uuid": "a"}}}, "server.networks"),
    ({"server": {"name": "x", "flavorRef": "1", "networks": "some"}}, "server.networks"),
    ({"server": {"name": "x", "flavorRef": "1", "max_count": 10 ** 40}}, "server.max_count"),
    ({"server": {"name": "x", "flavorRef": "1", "min_count": 0}}, "server.min_count"),
    ({"server": {"name": "x", "flavorRef": "1", "user_data": "not base64!"}}, "server.user_data"),
    ({"server": {"name": "x", "flavorRef": "1", "bogus": 1}}, "server.bogus"),
    ({"server": {"name": "x", "flavorRef": "1",
                 "block_device_mapping_v2": [{"source_type": "disk"}]}},
     "server.block_device_mapping_v2.0.source_type"),
])
def test_invalid_server_bodies_are_400(client, fake, body, field):
    reply = client.post("/v2.1/servers", data=json.dumps(body), content_type="application/json")
    assert field in _fault(reply, "badRequest", 400)


@pytest.mark.parametrize("flavor, field", [
    ({"ram": 1, "vcpus": 1, "disk": 1}, "flavor.name"),
    ({"name": "f", "vcpus": 1, "disk": 1}, "flavor.ram"),
    ({"name": "f", "ram": 0, "vcpus": 1, "disk": 1}, "flavor.ram"),
    ({"name": "f", "ram": "lots", "vcpus": 1, "disk": 1}, "flavor.ram"),
    ({"name": "f", "ram": 1e300, "vcpus": 1, "disk": 1}, "flavor.ram"),
    ({"name": "f", "ram": 2 ** 31, "vcpus": 1, "disk": 1}, "flavor.ram"),
    ({"name": "f", "ram": True, "vcpus": 1, "disk": 1}, "flavor.ram"),
    ({"name": "f", "ram": 1, "vcpus": 1, "disk": -1}, "flavor.disk"),
    ({"name": "f", "ram": 1, "vcpus": 1, "disk": 1, "rxtx_factor": 0}, "flavor.rxtx_factor"),
    ({"name": "f", "ram": 1, "vcpus": 1, "disk": 1, "os-flavor-access:is_public": "maybe"},
     "flavor.os-flavor-access:is_public"),
    ({"name": " f", "ram": 1, "vcpus": 1, "disk": 1}, "flavor.name"),
    ({"name": "f", "ram": 1, "vcpus": 1, "disk": 1, "id": "bad/id"}, "flavor.id"),
])
def test_invalid_flavor_bodies_are_400(client, fake, flavor, field):
    reply = client.post("/v2.1/flavors", json={"flavor": flavor})
    assert field in _fault(reply, "badRequest", 400)


def test_nan_and_infinity_are_400(client, fake):
    body = b'{"flavor": {"name": "f", "ram": NaN, "vcpus": Infinity, "disk": 1}}'
    reply = client.post("/v2.1/flavors", data=body, content_type="application/json")
    _fault(reply, "badRequest", 400)


def test_form_encoded_json_body_is_still_read(client, fake):
    fake.add_flavor("1")
    body = json.dumps({"flavor": {"name": "f", "ram": 1, "vcpus": 1, "disk": 1}})
    reply = client.post("/v2.1/flavors", data=body,
                        content_type="application/x-www-form-urlencoded")
    assert reply.status_code == 200


@pytest.mark.parametrize("error, name, code", [
    (exception.InstanceNotFound(instance_id="x"), "itemNotFound", 404),
    (exception.Invalid("no"), "badRequest", 400),
    (exception.UnexpectedTaskStateError(instance_uuid="x", expected="a", actual="b"),
     "conflictingRequest", 409),
])
def test_stratus_exceptions_map_by_code(client, fake, monkeypatch, error, name, code):
    def boom(*args, **kwargs):
        raise error

    monkeypatch.setattr(type(fake_conductor()), "compute_node_get_all", boom)
    assert _fault(client.get("/v2.1/os-hypervisors"), name, code) == error.message


def fake_conductor():
    from stratus.conductor import rpcapi

    return rpcapi.ConductorAPI()


@pytest.mark.parametrize("error", [RuntimeError("secret detail"),
                                   exception.RemoteError("secret detail")])
def test_unexpected_errors_are_a_generic_500(client, fake, monkeypatch, error):
    def boom(*args, **kwargs):
        raise error

    monkeypatch.setattr(type(fake_conductor()), "compute_node_get_all", boom)
    message = _fault(client.get("/v2.1/os-hypervisors"), "computeFault", 500)
    assert "secret" not in message and "Traceback" not in message


def test_one_schema_instance_per_class_serves_every_request(client, fake):
    """The parser keeps one instance of each body schema (webargs would
    build one per request); a bad body after a good one is still refused."""
    from stratus.api.api import Blueprint
    from stratus.api.schemas.servers import ServerCreateBody

    parser = Blueprint.ARGUMENTS_PARSER
    first = parser._get_schema(ServerCreateBody, None)
    assert parser._get_schema(ServerCreateBody, None) is first
    client.post("/v2.1/servers", json={"server": {"name": "a", "flavorRef": "1",
                                                   "imageRef": "x"}})
    reply = client.post("/v2.1/servers", json={"server": {"name": 5}})
    _fault(reply, "badRequest", 400)
