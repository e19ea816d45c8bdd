"""The Neutron-shaped API under /network: discovery, networks and
subnets, with Neutron's filters, fields, policy and error shape."""
import pytest

from tests.unit.api.conftest import act_as

V2 = "/network/v2.0"


def _error(reply, status, error_type):
    assert reply.status_code == status, reply.get_json()
    body = reply.get_json()["NeutronError"]
    assert body["type"] == error_type and body["detail"] == "" and body["message"]
    return body["message"]


def _create(client, collection, key, **attributes):
    reply = client.post(f"{V2}/{collection}", json={key: attributes})
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()[key]


def test_versions_resources_and_extensions(client, anonymous):
    versions = anonymous.get("/network").get_json()["versions"]
    assert [v["id"] for v in versions] == ["v2.0"]
    assert versions[0]["links"][0]["href"].endswith("/network/v2.0/")
    collections = {r["collection"] for r in anonymous.get(V2).get_json()["resources"]}
    assert {"networks", "subnets", "ports", "security_groups"} <= collections
    aliases = {e["alias"] for e in client.get(f"{V2}/extensions").get_json()["extensions"]}
    assert {"security-group", "binding", "external-net"} <= aliases
    assert client.get(f"{V2}/extensions/binding").get_json()["extension"]["alias"] == "binding"
    _error(client.get(f"{V2}/extensions/quotas"), 404, "HTTPNotFound")
    assert anonymous.get(f"{V2}/networks").status_code == 401


def test_network_crud(client):
    net = _create(client, "networks", "network", name="n1", description="d")
    assert net["router:external"] is False and net["shared"] is False
    assert net["tenant_id"] == net["project_id"] == "default"
    assert client.get(f"{V2}/networks/{net['id']}").get_json()["network"]["name"] == "n1"
    reply = client.put(f"{V2}/networks/{net['id']}", json={"network": {"name": "n2",
                                                                        "mtu": 1400}})
    assert reply.status_code == 200 and reply.get_json()["network"]["mtu"] == 1400
    assert client.delete(f"{V2}/networks/{net['id']}").status_code == 204
    message = _error(client.get(f"{V2}/networks/{net['id']}"), 404, "NetworkNotFound")
    assert net["id"] in message


def test_list_filters_and_fields(client):
    one = _create(client, "networks", "network", name="a")
    two = _create(client, "networks", "network", name="b", shared=True)
    _create(client, "networks", "network", name="c", **{"router:external": True})

    def names(query):
        reply = client.get(f"{V2}/networks?{query}")
        assert reply.status_code == 200, reply.get_json()
        return sorted(n.get("name") for n in reply.get_json()["networks"])

    assert names("") == ["a", "b", "c"]
    assert names("name=a&name=b") == ["a", "b"]
    assert names(f"id={one['id']}") == ["a"]
    assert names("shared=true") == ["b"] and names("shared=False") == ["a", "c"]
    assert names("router:external=True") == ["c"]
    assert names("tenant_id=default") == ["a", "b", "c"] and names("project_id=x") == []
    reply = client.get(f"{V2}/networks?fields=id&fields=name&name=b").get_json()
    assert reply == {"networks": [{"id": two["id"], "name": "b"}]}


def test_subnet_crud_and_network_in_use(client):
    net = _create(client, "networks", "network", name="n1")
    subnet = _create(client, "subnets", "subnet", network_id=net["id"], cidr="10.1.0.0/24",
                     ip_version=4, name="s1")
    assert subnet["gateway_ip"] == "10.1.0.1"
    assert client.get(f"{V2}/networks/{net['id']}").get_json()["network"]["subnets"] == [
        subnet["id"]]
    listed = client.get(f"{V2}/subnets?network_id={net['id']}").get_json()["subnets"]
    assert [s["id"] for s in listed] == [subnet["id"]]
    reply = client.put(f"{V2}/subnets/{subnet['id']}", json={"subnet": {"name": "s2"}})
    assert reply.get_json()["subnet"]["name"] == "s2"
    port = _create(client, "ports", "port", network_id=net["id"])
    _error(client.delete(f"{V2}/subnets/{subnet['id']}"), 409, "SubnetInUse")
    _error(client.delete(f"{V2}/networks/{net['id']}"), 409, "NetworkInUse")
    assert client.delete(f"{V2}/ports/{port['id']}").status_code == 204
    assert client.delete(f"{V2}/networks/{net['id']}").status_code == 204
    _error(client.get(f"{V2}/subnets/{subnet['id']}"), 404, "SubnetNotFound")


@pytest.mark.parametrize("body, text", [
    ({"network": {"name": "n", "bogus": 1}}, "Unrecognized attribute(s) 'bogus'"),
    ({"network": {"admin_state_up": "maybe"}}, "Invalid input for admin_state_up."),
    ({"network": {"mtu": "big"}}, "Invalid input for mtu."),
    ({"network": "n1"}, ""),
    ({"networks": [{}]}, "Unrecognized attribute(s) 'networks'"),
    ([], ""),
])
def test_bad_bodies_are_400(client, body, text):
    assert text in _error(client.post(f"{V2}/networks", json=body), 400, "HTTPBadRequest")


def test_malformed_json_is_400(client):
    reply = client.post(f"{V2}/networks", data=b"{nope", content_type="application/json")
    _error(reply, 400, "HTTPBadRequest")


@pytest.mark.parametrize("body", [{"cidr": "10.1.300.0/24"}, {"cidr": "10.1.0.0/24",
                                                              "gateway_ip": "nope"},
                                  {"cidr": "10.1.0.0/24", "ip_version": 5}])
def test_bad_subnets_are_400(client, body):
    net = _create(client, "networks", "network", name="n1")
    reply = client.post(f"{V2}/subnets", json={"subnet": {"network_id": net["id"], **body}})
    assert reply.status_code == 400, reply.get_json()


def test_members_see_their_own_and_shared(client, monkeypatch):
    shared = _create(client, "networks", "network", name="public", shared=True)
    private = _create(client, "networks", "network", name="admins")
    act_as(monkeypatch, "u1", "p1")
    mine = _create(client, "networks", "network", name="mine")
    assert mine["project_id"] == "p1"
    names = {n["name"] for n in client.get(f"{V2}/networks").get_json()["networks"]}
    assert names == {"public", "mine"}
    _error(client.get(f"{V2}/networks/{private['id']}"), 404, "NetworkNotFound")
    # a shared network is seen, not owned
    _error(client.delete(f"{V2}/networks/{shared['id']}"), 404, "NetworkNotFound")
    _error(client.put(f"{V2}/networks/{private['id']}", json={"network": {"name": "x"}}),
           404, "NetworkNotFound")


@pytest.mark.parametrize("attributes, rule", [
    ({"shared": True}, "create_network:shared"),
    ({"router:external": True}, "create_network:router:external"),
    ({"tenant_id": "p2"}, "create_network"),
    ({"project_id": "p2"}, "create_network"),
])
def test_only_admins_share_or_create_for_others(client, monkeypatch, attributes, rule):
    act_as(monkeypatch, "u1", "p1")
    reply = client.post(f"{V2}/networks", json={"network": {"name": "n", **attributes}})
    assert _error(reply, 403, "PolicyNotAuthorized") == f"rule:{rule} is disallowed by policy"


def test_members_may_say_not_shared_and_admins_create_for_others(client, monkeypatch):
    theirs = _create(client, "networks", "network", name="n", tenant_id="p2")
    assert theirs["project_id"] == "p2"
    _error(client.post(f"{V2}/networks", json={"network": {"tenant_id": "p2",
                                                           "project_id": "p3"}}),
           400, "Invalid")
    act_as(monkeypatch, "u1", "p1")
    assert _create(client, "networks", "network", shared=False, tenant_id="p1")["shared"] is False
    reply = client.put(f"{V2}/networks/{theirs['id']}", json={"network": {"shared": True}})
    _error(reply, 403, "PolicyNotAuthorized")


def test_readers_cannot_create(client, monkeypatch):
    act_as(monkeypatch, "u1", "p1", roles=("reader",))
    assert client.get(f"{V2}/networks").status_code == 200
    _error(client.post(f"{V2}/networks", json={"network": {}}), 403, "PolicyNotAuthorized")


def test_unknown_route_and_method_have_neutrons_shape(client):
    _error(client.get(f"{V2}/routers"), 404, "HTTPNotFound")
    _error(client.patch(f"{V2}/networks"), 405, "HTTPMethodNotAllowed")


def test_pools_stay_in_the_subnet(client):
    net = _create(client, "networks", "network", name="n1")
    body = {"network_id": net["id"], "cidr": "10.1.0.0/24",
            "allocation_pools": [{"start": "10.1.0.10", "end": "10.2.0.20"}]}
    _error(client.post(f"{V2}/subnets", json={"subnet": body}), 400, "Invalid")
    body["allocation_pools"] = [{"start": "10.1.0.10", "end": "10.1.0.20"}]
    assert _create(client, "subnets", "subnet", **body)["allocation_pools"] == [
        {"start": "10.1.0.10", "end": "10.1.0.20"}]


def test_string_booleans_and_integers_as_neutron(client):
    net = _create(client, "networks", "network", admin_state_up="false", mtu="1400")
    assert (net["admin_state_up"], net["mtu"]) == (False, 1400)
    _error(client.post(f"{V2}/networks", json={"network": {"mtu": 10}}), 400, "HTTPBadRequest")
