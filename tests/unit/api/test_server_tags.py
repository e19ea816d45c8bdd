"""Server tags (2.26) on the real eager stack: the tag routes, tags in
server show and detail, the four list filters, validation (400), state
(409), policy, and 404 before 2.26."""
import pytest

from stratus import config
from tests.unit.api import stack
from tests.unit.api.conftest import act_as, mv

V = mv("2.26")


@pytest.fixture
def api(client, db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path)
    reporters = stack.start_hosts(monkeypatch, {"tags-a": "nova"})
    yield client
    stack.stop_hosts(reporters)
    monkeypatch.undo()
    config.reset_settings()  # no cap or path set here outlives the test


@pytest.fixture
def server(api):
    return stack.boot_id(api, stack.flavor_id(api), stack.image_id())


def _tags(api, server):
    return api.get(f"/v2.1/servers/{server}/tags", headers=V).get_json()["tags"]


def test_add_show_replace_and_delete(api, server):
    url = f"/v2.1/servers/{server}/tags"
    assert _tags(api, server) == []
    added = api.put(f"{url}/web", headers=V)
    assert added.status_code == 201 and added.data == b""
    assert added.headers["Location"].endswith(f"/v2.1/servers/{server}/tags/web")
    assert api.put(f"{url}/web", headers=V).status_code == 204  # already there
    assert api.get(f"{url}/web", headers=V).status_code == 204
    missing = api.get(f"{url}/db", headers=V)
    assert missing.status_code == 404
    assert missing.get_json()["itemNotFound"]["message"] == f"Server {server} has no tag 'db'"
    replaced = api.put(url, json={"tags": ["b", "a", "b"]}, headers=V)
    assert replaced.status_code == 200 and replaced.get_json() == {"tags": ["a", "b"]}
    assert api.delete(f"{url}/a", headers=V).status_code == 204
    gone = api.delete(f"{url}/a", headers=V)
    assert gone.status_code == 404
    assert gone.get_json()["itemNotFound"]["message"] == f"Instance {server} has no tag 'a'"
    assert _tags(api, server) == ["b"]
    assert api.delete(url, headers=V).status_code == 204 and _tags(api, server) == []


def test_tags_in_show_and_detail_from_2_26(api, server):
    api.put(f"/v2.1/servers/{server}/tags", json={"tags": ["x", "y"]}, headers=V)
    assert api.get(f"/v2.1/servers/{server}", headers=V).get_json()["server"]["tags"] == [
        "x", "y"]
    listed = api.get("/v2.1/servers/detail", headers=mv("latest")).get_json()["servers"]
    assert listed[0]["tags"] == ["x", "y"]
    assert "tags" not in api.get(f"/v2.1/servers/{server}", headers=mv("2.25")).get_json()[
        "server"]


@pytest.mark.parametrize("query, matching", [
    ("tags=a,b", {"ab"}), ("tags=a", {"ab", "a"}), ("tags-any=b,c", {"ab", "c"}),
    ("not-tags=a,b", {"a", "c", "none"}), ("not-tags-any=a,c", {"none"}),
    ("tags=a&not-tags-any=b", {"a"}), ("tags=zzz", set()),
])
def test_list_filters(api, query, matching):
    flavor, image = stack.flavor_id(api), stack.image_id()
    names = {}
    for name, tags in (("ab", ["a", "b"]), ("a", ["a"]), ("c", ["c"]), ("none", [])):
        server = stack.boot_id(api, flavor, image, name=name)
        api.put(f"/v2.1/servers/{server}/tags", json={"tags": tags}, headers=V)
        names[server] = name
    listed = api.get(f"/v2.1/servers?{query}", headers=V).get_json()["servers"]
    assert {s["name"] for s in listed} == matching
    # Before 2.26 the filters are ignored, as in Nova.
    assert len(api.get(f"/v2.1/servers?{query}", headers=mv("2.25")).get_json()["servers"]) == 4


@pytest.mark.parametrize("tag", ["a,b", "x" * 61])
def test_invalid_tag_in_url_is_400(api, server, tag):
    reply = api.put(f"/v2.1/servers/{server}/tags/{tag}", headers=V)
    assert reply.status_code == 400
    assert reply.get_json()["badRequest"]["message"].startswith(f"Tag '{tag}' is invalid.")


@pytest.mark.parametrize("body", [{"tags": ["a/b"]}, {"tags": [""]}, {"tags": ["x" * 61]},
                                  {"tags": [str(i) for i in range(51)]}, {"tags": "a"}, {},
                                  {"tags": [], "other": 1}])
def test_invalid_tags_body_is_400(api, server, body):
    reply = api.put(f"/v2.1/servers/{server}/tags", json=body, headers=V)
    assert reply.status_code == 400 and "badRequest" in reply.get_json()


def test_at_most_50_tags(api, server):
    url = f"/v2.1/servers/{server}/tags"
    assert api.put(url, json={"tags": [str(i) for i in range(50)]}, headers=V).status_code == 200
    reply = api.put(f"{url}/one-more", headers=V)
    assert reply.status_code == 400
    assert reply.get_json()["badRequest"]["message"] == (
        "The number of tags exceeded the per-server limit 50")


def test_404_before_2_26(api, server):
    for method in ("get", "put", "delete"):
        assert getattr(api, method)(f"/v2.1/servers/{server}/tags",
                                    headers=mv("2.25")).status_code == 404
        assert getattr(api, method)(f"/v2.1/servers/{server}/tags/a",
                                    headers=mv("2.25")).status_code == 404


def test_changes_need_a_changeable_state(api, server):
    stack.act(api, server, {"os-resetState": {"state": "error"}})
    reply = api.put(f"/v2.1/servers/{server}/tags/a", headers=V)
    assert reply.status_code == 409
    assert reply.get_json()["conflictingRequest"]["message"] == (
        f"Cannot 'update tag' instance {server} while it is in vm_state error")
    assert _tags(api, server) == []


def test_reader_reads_member_changes_other_project_404(api, server, monkeypatch):
    url = f"/v2.1/servers/{server}/tags"
    api.put(f"{url}/a", headers=V)
    act_as(monkeypatch, "auditor", "default", ["reader"])
    assert _tags(api, server) == ["a"]
    reply = api.put(f"{url}/b", headers=V)
    assert reply.status_code == 403
    assert reply.get_json()["forbidden"]["message"] == (
        "Policy doesn't allow os_compute_api:os-server-tags:update to be performed.")
    act_as(monkeypatch, "alice", "other", ["member"])
    assert api.get(url, headers=V).status_code == 404
    assert api.put(f"{url}/b", headers=V).status_code == 404


def test_deleting_the_server_forgets_its_tags(api, server):
    api.put(f"/v2.1/servers/{server}/tags/a", headers=V)
    assert api.delete(f"/v2.1/servers/{server}").status_code == 204
    assert api.get(f"/v2.1/servers/{server}/tags", headers=V).status_code == 404
    assert api.get("/v2.1/servers?tags=a", headers=V).get_json()["servers"] == []


def test_capped_conductor_shows_no_tags_and_refuses_changes(api, server, monkeypatch):
    api.put(f"/v2.1/servers/{server}/tags/a", headers=V)
    monkeypatch.setenv("STRATUS_CONDUCTOR_RPC_VERSION_CAP", "1.3")
    config.reset_settings()
    shown = api.get(f"/v2.1/servers/{server}", headers=V)
    assert shown.status_code == 200 and shown.get_json()["server"]["tags"] == []
    assert api.put(f"/v2.1/servers/{server}/tags/b", headers=V).status_code == 409


def test_detail_lists_a_page_with_its_tags_in_one_call_or_two_under_a_cap(api, server,
                                                                         monkeypatch):
    from stratus.common import rpc

    api.put(f"/v2.1/servers/{server}/tags", json={"tags": ["x", "y"]}, headers=V)
    second = stack.boot_id(api, stack.flavor_id(api, "m2"), stack.image_id())
    called, call = [], rpc.RPCClient.call
    monkeypatch.setattr(rpc.RPCClient, "call", lambda self, ctxt, method, **kwargs: (
        called.append(method), call(self, ctxt, method, **kwargs))[1])
    bodies = {}
    for cap in ("", "1.10"):
        monkeypatch.setenv("STRATUS_CONDUCTOR_RPC_VERSION_CAP", cap)
        config.reset_settings()
        called.clear()
        reply = api.get("/v2.1/servers/detail", headers=V)
        assert reply.status_code == 200
        bodies[cap] = reply.data
        lists = [m for m in called if m.startswith("instance_")]
        assert lists == (["instance_get_all_with_tags"] if not cap else
                         ["instance_get_all", "instance_tags_get_by_instances"])
    assert bodies[""] == bodies["1.10"]
    shown = {s["id"]: s["tags"] for s in api.get("/v2.1/servers/detail", headers=V).get_json()[
        "servers"]}
    assert shown == {server: ["x", "y"], second: []}
    called.clear()
    assert "tags" not in api.get("/v2.1/servers/detail", headers=mv("2.25")).get_json()[
        "servers"][0]
    assert [m for m in called if m.startswith("instance_")] == ["instance_get_all"]
