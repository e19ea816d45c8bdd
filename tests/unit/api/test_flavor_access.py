"""Private flavors, flavor access, extra specs and the description update
(2.55) on the eager stack, as Nova answers them."""
import pytest

from tests.unit.api import stack
from tests.unit.api.conftest import act_as, mv


@pytest.fixture
def api(client, db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path)
    reporters = stack.start_hosts(monkeypatch, {"h1": "nova"})
    yield client
    stack.stop_hosts(reporters)


def _private(client, name="secret"):
    body = {"flavor": {"name": name, "ram": 64, "vcpus": 1, "disk": 1, "id": None,
                       "os-flavor-access:is_public": False}}
    return client.post("/v2.1/flavors", json=body).get_json()["flavor"]["id"]


def _access(client, flavor, action, tenant):
    return client.post(f"/v2.1/flavors/{flavor}/action", json={action: {"tenant": tenant}})


def _listed(client):
    return [f["id"] for f in client.get("/v2.1/flavors/detail").get_json()["flavors"]]


def test_private_flavor_is_hidden_until_access_is_given(api, monkeypatch):
    flavor, image = _private(api), stack.image_id()
    assert api.get(f"/v2.1/flavors/{flavor}/os-flavor-access").get_json() == {
        "flavor_access": []}
    act_as(monkeypatch, "u1", "p1", ("member",))
    assert flavor not in _listed(api)
    assert api.get(f"/v2.1/flavors/{flavor}").status_code == 404
    assert api.get(f"/v2.1/flavors/{flavor}/os-extra_specs").status_code == 404
    assert stack.boot(api, flavor, image).status_code == 400
    assert _access(api, flavor, "addTenantAccess", "p1").status_code == 403
    act_as(monkeypatch, "admin", "default", ("admin",))
    reply = _access(api, flavor, "addTenantAccess", "p1")
    assert reply.get_json() == {"flavor_access": [{"flavor_id": flavor, "tenant_id": "p1"}]}
    assert _access(api, flavor, "addTenantAccess", "p1").status_code == 409
    act_as(monkeypatch, "u1", "p1", ("member",))
    assert flavor in _listed(api)
    assert stack.boot(api, flavor, image).status_code == 202
    act_as(monkeypatch, "admin", "default", ("admin",))
    assert _access(api, flavor, "removeTenantAccess", "p1").get_json() == {"flavor_access": []}
    assert _access(api, flavor, "removeTenantAccess", "p1").status_code == 404
    act_as(monkeypatch, "u1", "p1", ("member",))
    assert flavor not in _listed(api)


def test_public_flavor_has_no_access_list(api):
    flavor = stack.flavor_id(api)
    assert api.get(f"/v2.1/flavors/{flavor}/os-flavor-access").status_code == 404
    assert _access(api, flavor, "addTenantAccess", "p1").status_code == 409
    assert api.post(f"/v2.1/flavors/{flavor}/action", json={"bogus": {}}).status_code == 400


def test_extra_specs_set_update_unset(api, monkeypatch):
    flavor = stack.flavor_id(api)
    base = f"/v2.1/flavors/{flavor}/os-extra_specs"
    specs = {"hw:numa_nodes": "1", "hw:cpu_policy": "shared"}
    assert api.post(base, json={"extra_specs": specs}).get_json() == {"extra_specs": specs}
    assert api.put(f"{base}/hw:numa_nodes", json={"hw:numa_nodes": "2"}).get_json() == {
        "hw:numa_nodes": "2"}
    assert api.put(f"{base}/hw:numa_nodes", json={"hw:cpu_policy": "x"}).status_code == 400
    assert api.put(f"{base}/hw:numa_nodes", json=dict(specs)).status_code == 400
    shown = api.get(f"/v2.1/flavors/{flavor}", headers=mv("2.61")).get_json()["flavor"]
    assert shown["extra_specs"] == {"hw:numa_nodes": "2", "hw:cpu_policy": "shared"}
    act_as(monkeypatch, "u1", "p1", ("member",))
    assert api.get(f"{base}/hw:numa_nodes").get_json() == {"hw:numa_nodes": "2"}
    assert api.post(base, json={"extra_specs": specs}).status_code == 403
    assert api.delete(f"{base}/hw:numa_nodes").status_code == 403
    act_as(monkeypatch, "admin", "default", ("admin",))
    reply = api.delete(f"{base}/hw:numa_nodes")
    assert reply.status_code == 200 and reply.data == b""
    assert api.delete(f"{base}/hw:numa_nodes").status_code == 404
    assert api.get(base).get_json() == {"extra_specs": {"hw:cpu_policy": "shared"}}


@pytest.mark.parametrize("specs, code_before, code_at_2_86", [
    ({"foo:bar": "baz", "hw:cpu_policy": "shared"}, 200, 200),
    ({"hw:cpu_policy": "sometimes"}, 200, 400),
    ({"hw:numa_nodes": "0"}, 200, 400),
    ({"hw:no_such_spec": "1"}, 200, 400),
    ({"trait:HW_CPU_X86_AVX": "required", "plain": 3}, 200, 200),
    ({"bad/key": "1"}, 400, 400),
    ({"hw:cpu_policy": True}, 400, 400),
])
def test_extra_spec_validation_from_2_86(api, specs, code_before, code_at_2_86):
    flavor = stack.flavor_id(api)
    base = f"/v2.1/flavors/{flavor}/os-extra_specs"
    assert api.post(base, json={"extra_specs": specs}, headers=mv("2.85")).status_code == (
        code_before)
    assert api.post(base, json={"extra_specs": specs}, headers=mv("2.86")).status_code == (
        code_at_2_86)


def test_description_update_from_2_55(api, monkeypatch):
    flavor = stack.flavor_id(api)
    body = {"flavor": {"description": "new"}}
    assert api.put(f"/v2.1/flavors/{flavor}", json=body, headers=mv("2.54")).status_code == 404
    reply = api.put(f"/v2.1/flavors/{flavor}", json=body, headers=mv("2.55"))
    assert reply.status_code == 200 and reply.get_json()["flavor"]["description"] == "new"
    bad = {"flavor": {"description": "x", "name": "y"}}
    assert api.put(f"/v2.1/flavors/{flavor}", json=bad, headers=mv("2.55")).status_code == 400
    act_as(monkeypatch, "u1", "p1", ("member",))
    assert api.put(f"/v2.1/flavors/{flavor}", json=body, headers=mv("2.55")).status_code == 403
