"""os-quota-sets, /limits and the quota on boots, on the eager stack (no
compute host: builds end in ERROR, and still count, as in Nova)."""
import concurrent.futures

import pytest

from tests.unit.api import stack
from tests.unit.api.conftest import mv

PROJECT = "default"  # the project of the API's default (admin) context


@pytest.fixture
def api(client, db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path, STRATUS_QUOTA_INSTANCES=10, STRATUS_QUOTA_CORES=20,
                    STRATUS_QUOTA_RAM=51200)
    return client


@pytest.fixture
def boot_args(api):
    return stack.flavor_id(api), stack.image_id()


def _set(client, version="latest", **limits):
    return client.put(f"/v2.1/os-quota-sets/{PROJECT}", json={"quota_set": limits},
                      headers=mv(version))


def _over(reply):
    assert reply.status_code == 403, reply.get_json()
    return reply.get_json()["forbidden"]["message"]


def test_show_defaults_update_and_revert(api):
    shown = api.get(f"/v2.1/os-quota-sets/{PROJECT}", headers=mv("latest")).get_json()
    assert shown == {"quota_set": {"id": PROJECT, "cores": 20, "instances": 10,
                                   "key_pairs": 100, "metadata_items": 128, "ram": 51200,
                                   "server_group_members": 10, "server_groups": 10}}
    reply = _set(api, instances="5", cores=-1, force=True)
    assert reply.status_code == 200
    assert "id" not in reply.get_json()["quota_set"]
    assert reply.get_json()["quota_set"]["instances"] == 5
    shown = api.get(f"/v2.1/os-quota-sets/{PROJECT}").get_json()["quota_set"]
    assert (shown["instances"], shown["cores"]) == (5, -1)
    defaults = api.get(f"/v2.1/os-quota-sets/{PROJECT}/defaults").get_json()["quota_set"]
    assert (defaults["instances"], defaults["cores"]) == (10, 20)
    assert api.delete(f"/v2.1/os-quota-sets/{PROJECT}").status_code == 202
    shown = api.get(f"/v2.1/os-quota-sets/{PROJECT}").get_json()["quota_set"]
    assert (shown["instances"], shown["cores"]) == (10, 20)


def test_microversions_drop_legacy_resources(api):
    old = api.get(f"/v2.1/os-quota-sets/{PROJECT}", headers=mv("2.1")).get_json()["quota_set"]
    assert (old["floating_ips"], old["injected_files"], old["fixed_ips"]) == (-1, 5, -1)
    mid = api.get(f"/v2.1/os-quota-sets/{PROJECT}", headers=mv("2.36")).get_json()["quota_set"]
    assert "floating_ips" not in mid and mid["injected_files"] == 5
    assert _set(api, version="2.56", injected_files=3).status_code == 200
    assert _set(api, version="2.57", injected_files=3).status_code == 400
    assert _set(api, version="2.36", floating_ips=3).status_code == 400


@pytest.mark.parametrize("body", [{"instances": -2}, {"bogus": 1}, {"instances": "ten"},
                                  {"instances": 2 ** 31}, {"instances": None},
                                  {"instances": True}])
def test_bad_updates_are_400(api, body):
    assert _set(api, **body).status_code == 400


def test_limit_below_usage_needs_force(api, boot_args):
    for _ in range(3):
        assert stack.boot(api, *boot_args).status_code == 202
    reply = _set(api, instances=2)
    assert reply.status_code == 400
    assert reply.get_json()["badRequest"]["message"] == (
        "Quota limit 2 for instances must be greater than or equal to already used and "
        "reserved 3.")
    assert _set(api, instances=2, force=True).status_code == 200
    detail = api.get(f"/v2.1/os-quota-sets/{PROJECT}/detail").get_json()["quota_set"]
    assert detail["instances"] == {"in_use": 3, "limit": 2, "reserved": 0}
    assert detail["cores"] == {"in_use": 3, "limit": 20, "reserved": 0}
    assert detail["ram"]["in_use"] == 3 * 64 and detail["key_pairs"]["in_use"] == 0


def test_members_see_their_own_project_only(api, monkeypatch):
    stack.as_user(monkeypatch, project_id="p-member")
    assert api.get("/v2.1/os-quota-sets/p-member").status_code == 200
    assert api.get("/v2.1/os-quota-sets/p-member/detail").status_code == 200
    assert api.get("/v2.1/os-quota-sets/other").status_code == 403
    assert api.get("/v2.1/os-quota-sets/other/defaults").status_code == 200
    assert api.put("/v2.1/os-quota-sets/p-member",
                   json={"quota_set": {"instances": 50}}).status_code == 403
    assert api.delete("/v2.1/os-quota-sets/p-member").status_code == 403
    assert api.get("/v2.1/limits?tenant_id=other").status_code == 403
    assert api.get("/v2.1/limits").status_code == 200


def test_limits_absolute_and_used(api, boot_args):
    assert stack.boot(api, *boot_args, metadata={"a": "b"}).status_code == 202
    limits = api.get("/v2.1/limits", headers=mv("latest")).get_json()["limits"]
    assert limits["rate"] == []
    assert limits["absolute"] == {
        "maxTotalRAMSize": 51200, "maxTotalInstances": 10, "maxTotalCores": 20,
        "maxTotalKeypairs": 100, "maxServerMeta": 128, "maxServerGroups": 10,
        "maxServerGroupMembers": 10, "totalRAMUsed": 64, "totalCoresUsed": 1,
        "totalInstancesUsed": 1, "totalServerGroupsUsed": 0}
    old = api.get("/v2.1/limits", headers=mv("2.1")).get_json()["limits"]["absolute"]
    assert old["maxImageMeta"] == 128 and old["maxPersonality"] == 5
    assert old["maxTotalFloatingIps"] == -1 and old["totalSecurityGroupsUsed"] == 0
    v239 = api.get("/v2.1/limits", headers=mv("2.39")).get_json()["limits"]["absolute"]
    assert "maxImageMeta" not in v239 and "maxTotalFloatingIps" not in v239
    assert v239["maxPersonality"] == 5
    other = api.get("/v2.1/limits?tenant_id=elsewhere").get_json()["limits"]["absolute"]
    assert other["totalInstancesUsed"] == 0


def test_boot_over_quota_is_403_with_novas_message(api, boot_args):
    _set(api, instances=2)
    for _ in range(2):
        assert stack.boot(api, *boot_args).status_code == 202
    assert _over(stack.boot(api, *boot_args)) == (
        "Quota exceeded for instances: Requested 1, but already used 2 of 2 instances")
    servers = api.get("/v2.1/servers").get_json()["servers"]
    assert len(servers) == 2


def test_several_resources_over_are_named_in_order(api):
    _set(api, instances=1, cores=4, ram=1024)
    big = stack.flavor_id(api, name="op.big", vcpus=4, ram=512)
    assert stack.boot(api, big, stack.image_id()).status_code == 202
    assert _over(stack.boot(api, big, stack.image_id())) == (
        "Quota exceeded for cores, instances: Requested 4, 1, but already used 4, 1 of 4, 1 "
        "cores, instances")


def test_multi_create_takes_what_fits_down_to_min_count(api, boot_args):
    _set(api, instances=4)
    assert stack.boot(api, *boot_args).status_code == 202
    # 3 fit of at most 5, at least 2: 3 are created.
    assert stack.boot(api, *boot_args, min_count=2, max_count=5).status_code == 202
    assert len(api.get("/v2.1/servers").get_json()["servers"]) == 4
    _set(api, instances=6)
    assert _over(stack.boot(api, *boot_args, min_count=3, max_count=5)) == (
        "Quota exceeded for instances: Requested 3-5, but already used 4 of 6 instances")
    assert _over(stack.boot(api, *boot_args, min_count=3, max_count=3)) == (
        "Quota exceeded for instances: Requested 3, but already used 4 of 6 instances")
    assert len(api.get("/v2.1/servers").get_json()["servers"]) == 4


def test_metadata_items_quota(api, boot_args):
    _set(api, metadata_items=1)
    assert _over(stack.boot(api, *boot_args, metadata={"a": "1", "b": "2"})) == (
        "Maximum number of metadata items exceeds 1")


def test_deleted_servers_do_not_count(api, boot_args):
    _set(api, instances=1)
    server_id = stack.boot(api, *boot_args).get_json()["server"]["id"]
    assert stack.boot(api, *boot_args).status_code == 403
    assert api.delete(f"/v2.1/servers/{server_id}").status_code == 204
    assert stack.boot(api, *boot_args).status_code == 202


def test_concurrent_creates_never_overrun_the_quota(api):
    """20 threads race for 10 slots through the conductor's endpoint, each
    in its own transaction on the shared SQLite file: exactly 10 win."""
    from stratus.conductor.manager import ComputeTaskManager
    from stratus.common.context import RequestContext
    from stratus.common.exception import TooManyInstances

    _set(api, instances=10)
    manager = ComputeTaskManager()
    # No builds: the race is between the rows, not the scheduler.
    manager.build.schedule = lambda *args: None
    ctxt = RequestContext(user_id="admin", project_id=PROJECT, is_admin=True)

    def create(index):
        values = {"uuid": f"00000000-0000-0000-0000-{index:012d}", "display_name": "race",
                  "project_id": PROJECT, "user_id": "admin", "vm_state": "error",
                  "vcpus": 1, "memory_mb": 64}
        try:
            return len(manager.build.create_instances(ctxt, [values], {}, 1))
        except TooManyInstances:
            return 0

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        created = list(pool.map(create, range(20)))
    assert sum(created) == 10
    detail = api.get(f"/v2.1/os-quota-sets/{PROJECT}/detail").get_json()["quota_set"]
    assert detail["instances"]["in_use"] == 10


def test_a_users_quota_within_its_project(api, boot_args, monkeypatch):
    """Nova's per-user quotas: set, shown, enforced on that user's boots
    only, never above the project's limit, and dropped on delete."""
    from tests.unit.api.conftest import act_as

    user = "/v2.1/os-quota-sets/default?user_id=alice"
    assert api.put(user, json={"quota_set": {"instances": 1}}).status_code == 200
    assert api.get(user).get_json()["quota_set"]["instances"] == 1
    assert api.get(f"/v2.1/os-quota-sets/{PROJECT}").get_json()["quota_set"]["instances"] == 10
    too_high = api.put(user, json={"quota_set": {"instances": 11}})
    assert too_high.status_code == 400 and "less than or equal to 10" in \
        too_high.get_json()["badRequest"]["message"]

    act_as(monkeypatch, "alice", PROJECT, ("member",))
    assert stack.boot(api, *boot_args).status_code == 202
    assert _over(stack.boot(api, *boot_args)) == (
        "Quota exceeded for instances: Requested 1, but already used 1 of 1 instances")
    act_as(monkeypatch, "bob", PROJECT, ("member",))
    assert stack.boot(api, *boot_args).status_code == 202  # bob is held to the project's

    act_as(monkeypatch, "admin", PROJECT, ("admin",))
    detail = api.get(f"/v2.1/os-quota-sets/{PROJECT}/detail?user_id=alice").get_json()
    assert detail["quota_set"]["instances"] == {"limit": 1, "in_use": 1, "reserved": 0}
    assert api.delete(user).status_code == 202
    assert api.get(user).get_json()["quota_set"]["instances"] == 10
