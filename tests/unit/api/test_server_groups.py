"""os-server-groups on the eager stack: shapes by microversion, Nova's
400s and 403s, and servers booted into groups on two test-driver hosts."""
import pytest

from stratus import config
from tests.unit.api.conftest import ADMIN, act_as, mv

URL = "/v2.1/os-server-groups"


@pytest.fixture
def stack(db, roles, tmp_path, monkeypatch):
    """Settings with an image store; `stack(quota_x=n)` sets more."""
    def override(**values):
        for name, value in values.items():
            monkeypatch.setenv(f"STRATUS_{name.upper()}", str(value))
        config.reset_settings()

    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "cirros.qcow2").write_bytes(b"not really qcow2")
    override(images_path=tmp_path / "images", instances_path=tmp_path / "instances")
    yield override
    monkeypatch.undo()
    config.reset_settings()


@pytest.fixture
def as_member(monkeypatch):
    """Act as a non-admin member of `project` from now on."""
    def switch(project="other-project", user="other-user"):
        act_as(monkeypatch, user, project, ["member"])

    return switch


def create(client, version="latest", **group):
    body = {"server_group": {"name": "g", **group}}
    return client.post(URL, json=body, headers=mv(version))


def created(client, version="latest", **group):
    group = group or ({"policy": "anti-affinity"} if version == "latest"
                      else {"policies": ["anti-affinity"]})
    reply = create(client, version, **group)
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()["server_group"]


def test_shape_before_2_13(client, stack):
    group = created(client, "2.1", policies=["affinity"])
    assert list(group) == ["id", "name", "policies", "metadata", "members"]
    assert (group["name"], group["policies"], group["metadata"], group["members"]) == (
        "g", ["affinity"], {}, [])


def test_shape_from_2_13_and_2_64(client, stack):
    old = created(client, "2.15", policies=["soft-anti-affinity"])
    assert list(old) == ["id", "name", "policies", "metadata", "members", "project_id",
                         "user_id"]
    assert (old["project_id"], old["user_id"]) == ("default", "admin")
    new = created(client, "2.64", policy="anti-affinity", rules={"max_server_per_host": "3"})
    assert list(new) == ["id", "name", "policy", "rules", "members", "project_id", "user_id"]
    assert (new["policy"], new["rules"]) == ("anti-affinity", {"max_server_per_host": 3})
    # The same group through another microversion.
    shown = client.get(f"{URL}/{new['id']}", headers=mv("2.63")).get_json()["server_group"]
    assert (shown["policies"], shown["metadata"]) == (["anti-affinity"], {})
    assert created(client, "2.64", policy="affinity")["rules"] == {}


@pytest.mark.parametrize("version, group, message", [
    ("2.1", {"policies": ["soft-affinity"]}, "policies"),
    ("2.15", {"policies": ["affinity", "anti-affinity"]}, "policies"),
    ("2.15", {"policies": []}, "policies"),
    ("2.15", {}, "'policies' is a required property"),
    ("2.15", {"policy": "affinity"}, "('policy' was unexpected)"),
    ("2.64", {"policies": ["affinity"]}, "('policies' was unexpected)"),
    ("2.64", {}, "'policy' is a required property"),
    ("2.64", {"policy": "nearby"}, "'nearby' is not one of"),
    ("2.64", {"policy": "affinity", "rules": {"max_server_per_host": 2}},
     "Only anti-affinity policy supports rules."),
    ("2.64", {"policy": "anti-affinity", "rules": {"max_server_per_host": 0}},
     "max_server_per_host"),
    ("2.64", {"policy": "anti-affinity", "rules": {"other": 1}}, "other"),
    ("2.64", {"policy": "anti-affinity", "name": " padded"}, "name"),
    ("2.64", {"policy": "anti-affinity", "extra": 1}, "extra"),
])
def test_create_validation(client, stack, version, group, message):
    reply = create(client, version, **group)
    assert reply.status_code == 400, reply.get_json()
    assert message in reply.get_json()["badRequest"]["message"]


def test_quota_of_server_groups(client, stack):
    stack(quota_server_groups=1)
    created(client)
    reply = create(client, policy="affinity")
    assert reply.status_code == 403
    assert reply.get_json() == {"forbidden": {"code": 403,
                                              "message": "Quota exceeded, too many server groups."}}


def test_list_show_delete_and_paging(client, stack):
    ids = [created(client)["id"] for _ in range(3)]
    listed = client.get(URL, headers=mv("latest")).get_json()["server_groups"]
    assert [g["id"] for g in listed] == ids
    page = client.get(f"{URL}?limit=1&offset=1").get_json()["server_groups"]
    assert [g["id"] for g in page] == ids[1:2]
    assert client.get(f"{URL}?limit=-1").status_code == 400
    assert client.get(f"{URL}?foo=1", headers=mv("2.74")).status_code == 200
    assert client.get(f"{URL}?foo=1", headers=mv("2.75")).status_code == 400
    assert client.get(f"{URL}/{ids[0]}").get_json()["server_group"]["id"] == ids[0]
    reply = client.delete(f"{URL}/{ids[0]}")
    assert reply.status_code == 204 and reply.data == b""
    assert client.get(f"{URL}/{ids[0]}").status_code == 404
    assert client.delete(f"{URL}/{ids[0]}").status_code == 404
    assert client.get(f"{URL}/not-a-uuid").status_code == 404


def test_non_admins_see_their_project_only(client, stack, as_member):
    admins = created(client)["id"]
    as_member()
    own = created(client)
    assert (own["project_id"], own["user_id"]) == ("other-project", "other-user")
    for query in ("", "?all_projects=True"):
        listed = client.get(URL + query).get_json()["server_groups"]
        assert [g["id"] for g in listed] == [own["id"]]
    # Another project's group answers as a missing one: no 403 tells it exists.
    missing = "6a1d3b8e-0000-4000-8000-000000000009"
    for call in (client.get, client.delete):
        reply, unknown = call(f"{URL}/{admins}"), call(f"{URL}/{missing}")
        assert (reply.status_code, unknown.status_code) == (404, 404)
        assert reply.get_json() == {"itemNotFound": {
            "code": 404, "message": f"Instance group {admins} could not be found."}}
        assert unknown.get_json()["itemNotFound"]["message"] == \
            f"Instance group {missing} could not be found."


def test_admins_list_every_project(client, stack, as_member, monkeypatch):
    as_member()
    theirs = created(client)["id"]
    act_as(monkeypatch, *ADMIN)
    mine = created(client)["id"]
    assert [g["id"] for g in client.get(URL).get_json()["server_groups"]] == [mine]
    everyone = client.get(f"{URL}?all_projects").get_json()["server_groups"]
    assert [g["id"] for g in everyone] == [theirs, mine]
    assert client.get(f"{URL}/{theirs}").get_json()["server_group"]["id"] == theirs
    assert client.delete(f"{URL}/{theirs}").status_code == 204


# booting into groups, on two hosts of libvirt's test driver

@pytest.fixture
def hosts(stack):
    from stratus.compute import service

    reporters = service.start_compute(["sg-a", "sg-b"], "test:///default", periodic=False)
    yield
    service.stop_compute(reporters)


@pytest.fixture
def boot(client, hosts):
    from stratus.conductor.rpcapi import ConductorAPI
    from stratus.common.context import get_admin_context

    image = ConductorAPI().image_create(get_admin_context(), {
        "name": "cirros", "file": "cirros.qcow2", "size": 16})
    flavor = client.post("/v2.1/flavors", json={"flavor": {
        "name": "sg.tiny", "ram": 64, "vcpus": 1, "disk": 1}}).get_json()["flavor"]["id"]

    def post(group_id, count=1):
        body = {"server": {"name": "vm", "flavorRef": flavor, "imageRef": image.id,
                           "networks": "none", "min_count": count, "max_count": count},
                "os:scheduler_hints": {"group": group_id}}
        return client.post("/v2.1/servers", json=body, headers=mv("latest"))

    return post


def _servers(client):
    return client.get("/v2.1/servers/detail", headers=mv("latest")).get_json()["servers"]


@pytest.mark.parametrize("count", [1, 3])
def test_anti_affinity_third_member_fails_with_the_reason(client, boot, count):
    group = created(client)["id"]
    for _ in range(3 // count):
        assert boot(group, count).status_code == 202
    servers = _servers(client)
    active = [s for s in servers if s["status"] == "ACTIVE"]
    failed = [s for s in servers if s["status"] == "ERROR"]
    assert sorted(s["OS-EXT-SRV-ATTR:host"] for s in active) == ["sg-a", "sg-b"]
    assert len(failed) == 1
    assert failed[0]["fault"]["message"] == (
        "No valid host was found. 0 of 2 hosts: ServerGroupAntiAffinityFilter removed 2 "
        f"(sg-a, sg-b already hold a member of anti-affinity group {group})")
    members = client.get(f"{URL}/{group}").get_json()["server_group"]["members"]
    assert sorted(members) == sorted(s["id"] for s in servers)
    assert client.delete(f"/v2.1/servers/{active[0]['id']}").status_code == 204
    members = client.get(f"{URL}/{group}").get_json()["server_group"]["members"]
    assert active[0]["id"] not in members and len(members) == 2


def test_affinity_members_share_a_host_and_outlive_their_group(client, boot):
    group = created(client, policy="affinity")["id"]
    assert boot(group, 2).status_code == 202
    servers = _servers(client)
    assert {s["status"] for s in servers} == {"ACTIVE"}
    assert len({s["OS-EXT-SRV-ATTR:host"] for s in servers}) == 1
    assert client.delete(f"{URL}/{group}").status_code == 204
    assert {s["status"] for s in _servers(client)} == {"ACTIVE"}


def test_boot_hint_errors(client, boot, stack):
    assert "could not be found" in boot(
        "6a1d3b8e-0000-4000-8000-000000000009").get_json()["badRequest"]["message"]
    assert boot("not-a-uuid").status_code == 400
    stack(quota_server_group_members=2)
    group = created(client)["id"]
    reply = boot(group, 3)
    assert reply.status_code == 403
    assert reply.get_json()["forbidden"]["message"] == "Quota exceeded, too many servers in group"
    assert _servers(client) == []  # nothing of the refused request remains


def test_non_admins_cannot_boot_into_another_projects_group(client, boot, as_member):
    group = created(client)["id"]
    as_member()
    reply = boot(group)
    # As Nova (project-scoped read, then its 400): the same as an unknown group.
    assert reply.get_json() == {"badRequest": {
        "code": 400, "message": f"Instance group {group} could not be found."}}
    assert _servers(client) == []


def test_a_server_shows_its_group_from_2_71(client, boot):
    group = created(client)["id"]
    assert boot(group).status_code == 202
    [member] = _servers(client)
    shown = client.get(f"/v2.1/servers/{member['id']}", headers=mv("2.71")).get_json()["server"]
    assert shown["server_groups"] == [group]
    assert "server_groups" not in client.get(f"/v2.1/servers/{member['id']}",
                                             headers=mv("2.70")).get_json()["server"]
    assert "server_groups" not in member  # lists do not show it
    renamed = client.put(f"/v2.1/servers/{member['id']}", json={"server": {"name": "x"}},
                         headers=mv("latest")).get_json()["server"]
    assert renamed["server_groups"] == [group]
    assert client.delete(f"{URL}/{group}").status_code == 204
    shown = client.get(f"/v2.1/servers/{member['id']}", headers=mv("latest")).get_json()["server"]
    assert shown["server_groups"] == []


def test_a_reader_sees_their_projects_group_and_may_not_delete_it(client, stack, as_member,
                                                                   monkeypatch):
    as_member()
    group = created(client)["id"]
    act_as(monkeypatch, "a-reader", "other-project", ["reader"])
    assert client.get(f"{URL}/{group}").status_code == 200
    assert client.delete(f"{URL}/{group}").status_code == 403
