"""The image API's writes (Glance v2 shape) and Nova's image proxy
(delete, metadata, filters) on the eager stack: the conductor on SQLite,
image data in a temporary image store."""
import hashlib

import pytest

from tests.unit.api import stack
from tests.unit.api.conftest import act_as, mv

PATCH = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
OLD = mv("2.35")


@pytest.fixture
def store(db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path)
    return tmp_path / "images"


def _create(client, **extra):
    body = {"name": "img", "disk_format": "raw", "container_format": "bare",
            "visibility": "private", **extra}
    reply = client.post("/image/v2/images", json=body)
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


def _upload(client, image_id, data=b"*" * 1024):
    return client.put(f"/image/v2/images/{image_id}/file", data=data,
                      headers={"Content-Type": "application/octet-stream"})


def test_create_is_queued_with_extra_properties(client, store):
    image = _create(client, min_ram=512, os_distro="cirros")
    assert image["status"] == "queued" and image["min_ram"] == 512
    assert image["os_distro"] == "cirros" and image["visibility"] == "private"
    shown = client.get(f"/image/v2/images/{image['id']}").get_json()
    assert shown["os_distro"] == "cirros" and shown["size"] is None


def test_an_empty_create_makes_a_nameless_image(client, store):
    """Glance takes an image with no attributes at all (found by the
    OpenAPI contract test: it was a 500)."""
    reply = client.post("/image/v2/images", json={})
    assert reply.status_code == 201, reply.get_json()
    assert (reply.get_json()["name"], reply.get_json()["status"]) == (None, "queued")


def test_upload_makes_it_active_with_size_and_hashes(client, store):
    image = _create(client)
    data = b"stratus" * 500
    assert _upload(client, image["id"], data).status_code == 204
    shown = client.get(f"/image/v2/images/{image['id']}").get_json()
    assert shown["status"] == "active" and shown["size"] == len(data)
    assert shown["checksum"] == hashlib.md5(data).hexdigest()
    assert shown["os_hash_algo"] == "sha512"
    assert shown["os_hash_value"] == hashlib.sha512(data).hexdigest()
    assert (store / f"{image['id']}.raw").read_bytes() == data
    # Glance: data only once, into a queued image.
    assert _upload(client, image["id"]).status_code == 409


def test_upload_is_not_limited_to_the_json_body_size(client, store):
    image = _create(client)
    assert _upload(client, image["id"], b"x" * 300_000).status_code == 204


@pytest.mark.parametrize("body, code", [
    ({"name": "x", "disk_format": "floppy"}, 400),
    ({"name": "x", "min_ram": -1}, 400),
    ({"name": "x", "min_disk": "big"}, 400),
    ({"name": "x", "visibility": "everyone"}, 400),
    ({"name": "x", "os_distro": 5}, 400),
    ({"name": "x", "status": "active"}, 403),
    ({"name": "x", "id": "not-a-uuid"}, 400),
])
def test_create_refuses_bad_values(client, store, body, code):
    assert client.post("/image/v2/images", json=body).status_code == code


def test_only_admins_publicize(client, store, monkeypatch):
    act_as(monkeypatch, "u1", "p1")
    assert client.post("/image/v2/images", json={"name": "x", "visibility": "public"}
                       ).status_code == 403


def test_patch_replaces_adds_and_removes(client, store):
    image = _create(client, os_distro="cirros")
    ops = [{"op": "replace", "path": "/name", "value": "renamed"},
           {"op": "add", "path": "/hw_disk_bus", "value": "virtio"},
           {"op": "remove", "path": "/os_distro"}]
    reply = client.patch(f"/image/v2/images/{image['id']}", json=ops, headers=PATCH)
    assert reply.status_code == 200, reply.get_json()
    patched = reply.get_json()
    assert patched["name"] == "renamed" and patched["hw_disk_bus"] == "virtio"
    assert "os_distro" not in patched
    bad = [{"op": "replace", "path": "/status", "value": "active"}]
    assert client.patch(f"/image/v2/images/{image['id']}", json=bad,
                        headers=PATCH).status_code == 403
    missing = [{"op": "remove", "path": "/nothing"}]
    assert client.patch(f"/image/v2/images/{image['id']}", json=missing,
                        headers=PATCH).status_code == 400
    assert client.patch(f"/image/v2/images/{image['id']}", json=ops).status_code == 415


@pytest.mark.parametrize("prefix", ["/image/v2", "/v2"])
def test_delete_removes_record_and_data(client, store, prefix):
    image = _create(client)
    assert client.put(f"{prefix}/images/{image['id']}/file", data=b"1").status_code == 204
    assert client.delete(f"{prefix}/images/{image['id']}").status_code == 204
    assert client.get(f"/image/v2/images/{image['id']}").status_code == 404
    assert not (store / f"{image['id']}.raw").exists()
    assert client.delete(f"/image/v2/images/{image['id']}").status_code == 404


def test_private_images_are_their_projects(client, store, monkeypatch):
    image = _create(client)
    act_as(monkeypatch, "u1", "p1")
    assert client.get(f"/image/v2/images/{image['id']}").status_code == 404
    listed = client.get("/image/v2/images").get_json()["images"]
    assert image["id"] not in [i["id"] for i in listed]
    assert client.delete(f"/v2.1/images/{image['id']}", headers=OLD).status_code == 404


def test_list_filters_by_property_and_sorts(client, store):
    first = _create(client, name="a", backup_type="daily")
    second = _create(client, name="b", backup_type="daily")
    _create(client, name="c", backup_type="weekly")
    reply = client.get("/image/v2/images?backup_type=daily&sort_key=created_at&sort_dir=desc")
    assert [i["id"] for i in reply.get_json()["images"]] == [second["id"], first["id"]]
    tasks = client.get(f"/image/v2/images/{first['id']}/tasks").get_json()
    assert tasks == {"tasks": []}


def test_nova_proxy_metadata(client, store):
    image = _create(client)
    base = f"/v2.1/images/{image['id']}/metadata"
    reply = client.put(base, json={"metadata": {"a": "1", "b": "2"}}, headers=OLD)
    assert reply.get_json() == {"metadata": {"a": "1", "b": "2"}}
    reply = client.post(base, json={"metadata": {"b": "3", "c": "4"}}, headers=OLD)
    assert reply.get_json() == {"metadata": {"a": "1", "b": "3", "c": "4"}}
    assert client.get(f"{base}/b", headers=OLD).get_json() == {"meta": {"b": "3"}}
    assert client.put(f"{base}/d", json={"meta": {"d": "5"}}, headers=OLD).status_code == 200
    assert client.put(f"{base}/d", json={"meta": {"e": "5"}}, headers=OLD).status_code == 400
    assert client.delete(f"{base}/a", headers=OLD).status_code == 204
    assert client.delete(f"{base}/a", headers=OLD).status_code == 404
    assert client.get(base, headers=OLD).get_json() == {"metadata": {"b": "3", "c": "4",
                                                                     "d": "5"}}
    detail = client.get(f"/v2.1/images/{image['id']}", headers=OLD).get_json()["image"]
    assert detail["metadata"] == {"b": "3", "c": "4", "d": "5"}
    assert client.get(base, headers=mv("2.39")).status_code == 404
    too_many = {"metadata": {f"k{i}": "v" for i in range(129)}}
    assert client.put(base, json=too_many, headers=OLD).status_code == 403


@pytest.mark.parametrize("image_id", ["", "-1", "a" * 37, "0" * 35 + "j"])
def test_nova_proxy_delete_of_no_image_is_404(client, store, image_id):
    assert client.delete(f"/v2.1/images/{image_id}", headers=OLD).status_code == 404


def test_nova_proxy_delete(client, store):
    image = _create(client)
    assert client.delete(f"/v2.1/images/{image['id']}", headers=OLD).status_code == 204
    assert client.get(f"/v2.1/images/{image['id']}", headers=OLD).status_code == 404


def test_nova_proxy_filters(client, store):
    image = _create(client, name="one")
    _upload(client, image["id"])
    _create(client, name="two")
    listed = client.get("/v2.1/images/detail?status=ACTIVE", headers=OLD).get_json()["images"]
    assert [i["id"] for i in listed] == [image["id"]]
    created = client.get(f"/v2.1/images/{image['id']}", headers=OLD).get_json()["image"]
    since = client.get(f"/v2.1/images?changes-since={created['created']}",
                       headers=OLD).get_json()["images"]
    assert image["id"] in [i["id"] for i in since]
    assert client.get("/v2.1/images?changes-since=yesterday", headers=OLD).status_code == 400
