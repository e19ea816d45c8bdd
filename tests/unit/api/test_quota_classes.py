"""os-quota-class-sets on the real eager stack: the `default` class sets
every project's defaults (and so a new project's limits, and what a boot
is held to); resources follow the microversion; admins only."""
import pytest

from stratus import config
from tests.unit.api import stack
from tests.unit.api.conftest import act_as, mv

DEFAULT = "/v2.1/os-quota-class-sets/default"


@pytest.fixture
def api(client, db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path)
    reporters = stack.start_hosts(monkeypatch, {"classes-a": "nova"})
    yield client
    stack.stop_hosts(reporters)
    monkeypatch.undo()
    config.reset_settings()


def test_the_default_class_sets_every_projects_defaults(api):
    shown = api.get(DEFAULT, headers=mv("2.57")).get_json()["quota_class_set"]
    assert shown["id"] == "default" and "injected_files" not in shown
    assert "server_groups" in shown and "floating_ips" not in shown
    updated = api.put(DEFAULT, json={"quota_class_set": {"instances": 1, "cores": "30"}},
                      headers=mv("2.57")).get_json()["quota_class_set"]
    assert (updated["instances"], updated["cores"]) == (1, 30) and "id" not in updated

    defaults = api.get("/v2.1/os-quota-sets/fresh/defaults").get_json()["quota_set"]
    assert defaults["instances"] == 1
    assert api.get("/v2.1/os-quota-sets/fresh").get_json()["quota_set"]["instances"] == 1
    flavor, image = stack.flavor_id(api), stack.image_id()
    stack.boot_id(api, flavor, image)
    over = stack.boot(api, flavor, image)
    assert over.status_code == 403 and "Quota exceeded" in over.get_json()["forbidden"]["message"]


def test_other_classes_are_kept_and_resources_follow_the_microversion(api):
    path = "/v2.1/os-quota-class-sets/gold"
    assert api.put(path, json={"quota_class_set": {"ram": 1024}}).status_code == 200
    old = api.get(path, headers=mv("2.49")).get_json()["quota_class_set"]
    assert old["ram"] == 1024 and "server_groups" not in old and "floating_ips" in old
    assert api.get("/v2.1/os-quota-sets/p/defaults").get_json()["quota_set"]["ram"] != 1024
    for body, version in (({"server_groups": 1}, "2.49"), ({"floating_ips": 1}, "2.50"),
                          ({"ram": -2}, "2.1"), ({"bogus": 1}, "2.1")):
        reply = api.put(path, json={"quota_class_set": body}, headers=mv(version))
        assert reply.status_code == 400, (body, version)


def test_only_admins(api, monkeypatch):
    act_as(monkeypatch, "someone", "proj", ("member",))
    assert api.get(DEFAULT).status_code == 403
    assert api.put(DEFAULT, json={"quota_class_set": {"ram": 1}}).status_code == 403
