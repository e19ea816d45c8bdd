"""os-hosts on the eager stack: the hosts of the enabled services, their
zone (an aggregate's when it gives one), a host's resources, and Nova's
answers to the actions libvirt does not offer."""
import pytest

from tests.unit.api import stack
from tests.unit.api.conftest import act_as, mv


@pytest.fixture
def api(client, db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path)
    reporters = stack.start_hosts(monkeypatch, {"h1": "nova", "h2": "az2"})
    yield client
    stack.stop_hosts(reporters)


def _hosts(client, query=""):
    return client.get(f"/v2.1/os-hosts{query}").get_json()["hosts"]


def test_list_and_zone_filter(api):
    assert {(h["host_name"], h["service"], h["zone"]) for h in _hosts(api)} >= {
        ("h1", "compute", "nova"), ("h2", "compute", "az2")}
    assert [h["host_name"] for h in _hosts(api, "?zone=az2")] == ["h2"]
    assert _hosts(api, "?zone=xxx") == []
    assert len(_hosts(api, "?zone=")) == len(_hosts(api))
    agg = api.post("/v2.1/os-aggregates", json={"aggregate": {"name": "a", "availability_zone":
                                                                "fast"}}).get_json()
    api.post(f"/v2.1/os-aggregates/{agg['aggregate']['id']}/action",
             json={"add_host": {"host": "h1"}})
    assert [h["host_name"] for h in _hosts(api, "?zone=fast")] == ["h1"]


def test_show_resources(api):
    image, flavor = stack.image_id(), stack.flavor_id(api, vcpus=1, ram=64)
    server = stack.boot_id(api, flavor, image, availability_zone="az2")
    assert stack.show(api, server)["OS-EXT-SRV-ATTR:host"] == "h2"
    rows = [r["resource"] for r in api.get("/v2.1/os-hosts/h2").get_json()["host"]]
    assert [r["project"] for r in rows] == ["(total)", "(used_now)", "(used_max)", "default"]
    assert (rows[3]["cpu"], rows[3]["memory_mb"], rows[3]["disk_gb"]) == (1, 64, 1)
    assert rows[1]["cpu"] == 1 and rows[0]["cpu"] >= 1
    assert api.get("/v2.1/os-hosts/nowhere").status_code == 404


def test_actions_and_errors(api, monkeypatch):
    assert api.put("/v2.1/os-hosts/h1", json={"status": "enable"}).status_code == 501
    assert api.put("/v2.1/os-hosts/h1", json={"status": "invalid"}).status_code == 400
    assert api.put("/v2.1/os-hosts/h1", json={"maintenance_mode": "x"}).status_code == 400
    assert api.put("/v2.1/os-hosts/h1", json={}).status_code == 400
    assert api.put("/v2.1/os-hosts/nowhere", json={"status": "enable"}).status_code == 404
    for action in ("startup", "shutdown", "reboot"):
        assert api.get(f"/v2.1/os-hosts/h1/{action}").status_code == 501
        assert api.get(f"/v2.1/os-hosts/nowhere/{action}").status_code == 404
    assert api.get("/v2.1/os-hosts", headers=mv("2.43")).status_code == 404
    act_as(monkeypatch, "u1", "p1", ("member",))
    assert api.get("/v2.1/os-hosts").status_code == 403
    assert api.get("/v2.1/os-hosts/h1").status_code == 403
    assert api.put("/v2.1/os-hosts/h1", json={"status": "enable"}).status_code == 403
    assert api.get("/v2.1/os-hosts/h1/reboot").status_code == 403
