"""Flavors against the in-memory fake conductor."""
import pytest

from tests.unit.api.conftest import act_as, mv

BODY = {"flavor": {"name": "m1.small", "ram": 2048, "vcpus": 1, "disk": 20, "id": None}}


def test_create_lets_the_server_pick_the_id(client, fake):
    reply = client.post("/v2.1/flavors", json=BODY, headers=mv("2.61"))
    assert reply.status_code == 200
    flavor = reply.get_json()["flavor"]
    assert flavor["id"] == "generated-id"
    assert (flavor["ram"], flavor["vcpus"], flavor["disk"]) == (2048, 1, 20)
    assert flavor["os-flavor-access:is_public"] is True
    assert flavor["extra_specs"] == {} and flavor["description"] is None


def test_create_accepts_digit_strings_and_options(client, fake):
    body = {"flavor": {"name": "big", "ram": "4096", "vcpus": "2", "disk": "0", "id": 42,
                       "swap": 512, "OS-FLV-EXT-DATA:ephemeral": 5, "rxtx_factor": "2.0",
                       "os-flavor-access:is_public": "false"}}
    flavor = client.post("/v2.1/flavors", json=body).get_json()["flavor"]
    assert flavor["id"] == "42" and flavor["swap"] == 512
    assert flavor["OS-FLV-EXT-DATA:ephemeral"] == 5 and flavor["rxtx_factor"] == 2.0
    assert flavor["os-flavor-access:is_public"] is False


def test_description_needs_2_55(client, fake):
    body = {"flavor": dict(BODY["flavor"], description="small one")}
    assert client.post("/v2.1/flavors", json=body).status_code == 400
    reply = client.post("/v2.1/flavors", json=body, headers=mv("2.55"))
    assert reply.get_json()["flavor"]["description"] == "small one"


def test_duplicate_is_409(client, fake):
    fake.add_flavor("1")
    body = {"flavor": dict(BODY["flavor"], id="1")}
    reply = client.post("/v2.1/flavors", json=body)
    assert reply.status_code == 409 and "conflictingRequest" in reply.get_json()


def test_show_and_microversioned_fields(client, fake):
    fake.add_flavor("1", swap=0, extra_specs={"hw:cpu_policy": "shared"})
    old = client.get("/v2.1/flavors/1").get_json()["flavor"]
    assert old["swap"] == "" and "description" not in old and "extra_specs" not in old
    new = client.get("/v2.1/flavors/1", headers=mv("latest")).get_json()["flavor"]
    assert new["swap"] == 0 and new["extra_specs"] == {"hw:cpu_policy": "shared"}
    assert new["links"][0] == {"rel": "self", "href": "http://localhost/v2.1/flavors/1"}
    assert new["OS-FLV-DISABLED:disabled"] is False


def test_unknown_flavor_is_404(client, fake):
    reply = client.get("/v2.1/flavors/m1.tiny")
    assert reply.status_code == 404
    assert reply.get_json()["itemNotFound"]["message"] == "Flavor m1.tiny could not be found."


def test_list_public_private_and_none(client, fake):
    fake.add_flavor("1", "pub")
    fake.add_flavor("2", "priv", is_public=False)

    def names(query):
        return sorted(f["name"] for f in client.get(f"/v2.1/flavors/detail{query}")
                      .get_json()["flavors"])

    assert names("") == ["pub"]
    assert names("?is_public=None") == ["priv", "pub"]
    assert names("?is_public=false") == ["priv"]
    assert client.get("/v2.1/flavors?is_public=perhaps").status_code == 400


def test_list_min_filters(client, fake):
    fake.add_flavor("1", "small", memory_mb=512, root_gb=1)
    fake.add_flavor("2", "large", memory_mb=8192, root_gb=80)
    flavors = client.get("/v2.1/flavors?minRam=1024&minDisk=10").get_json()["flavors"]
    assert [f["name"] for f in flavors] == ["large"]
    assert set(flavors[0]) == {"id", "name", "links"}


def test_paging(client, fake):
    for i in range(1, 4):
        fake.add_flavor(str(i), f"f{i}")
    page = client.get("/v2.1/flavors?limit=2").get_json()
    assert [f["id"] for f in page["flavors"]] == ["1", "2"]
    assert "marker=2" in page["flavors_links"][0]["href"]
    rest = client.get("/v2.1/flavors?limit=2&marker=2").get_json()
    assert [f["id"] for f in rest["flavors"]] == ["3"] and "flavors_links" not in rest
    assert client.get("/v2.1/flavors?marker=nope").status_code == 400
    assert client.get("/v2.1/flavors?limit=-1").status_code == 400


def test_delete(client, fake):
    fake.add_flavor("1")
    assert client.delete("/v2.1/flavors/1").status_code == 202
    assert client.delete("/v2.1/flavors/1").status_code == 404


@pytest.mark.parametrize("method, path", [("post", "/v2.1/flavors"), ("delete", "/v2.1/flavors/1")])
def test_non_admin_cannot_manage(client, fake, monkeypatch, method, path):
    act_as(monkeypatch, "u-member", "default", ["member"])
    fake.add_flavor("1")
    reply = getattr(client, method)(path, json=BODY)
    assert reply.status_code == 403 and "forbidden" in reply.get_json()


def test_extra_specs_read(client, fake):
    fake.add_flavor("1", extra_specs={"hw:cpu_policy": "shared"})
    reply = client.get("/v2.1/flavors/1/os-extra_specs")
    assert reply.get_json() == {"extra_specs": {"hw:cpu_policy": "shared"}}
    one = client.get("/v2.1/flavors/1/os-extra_specs/hw:cpu_policy")
    assert one.get_json() == {"hw:cpu_policy": "shared"}
    assert client.get("/v2.1/flavors/1/os-extra_specs/nope").status_code == 404
    assert client.get("/v2.1/flavors/2/os-extra_specs").status_code == 404
