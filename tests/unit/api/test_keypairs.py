"""os-keypairs on the eager stack: import and generation, Nova's names,
microversions, paging, per-user ownership, the quota, and key_name on boot."""
import base64

import pytest
from cryptography.hazmat.primitives import serialization

from tests.unit.api import stack
from tests.unit.api.conftest import mv
from stratus.common.context import get_admin_context

# A real ed25519 key and the MD5 fingerprint `ssh-keygen -E md5 -l` gives it.
ED25519 = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAm/J7X8/oO435FyddGWwUikE0izYow7J8P3Sm+pIV7p"
           " root@vm")
ED25519_MD5 = "14:94:b8:c4:5a:c6:af:65:17:17:73:67:f0:b8:c2:36"


@pytest.fixture
def api(client, db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path)
    return client


def _create(client, version="2.10", **keypair):
    return client.post("/v2.1/os-keypairs", json={"keypair": keypair}, headers=mv(version))


def test_import_gives_nova_fingerprint_and_shows(api):
    reply = _create(api, name="mine", public_key=ED25519)
    assert reply.status_code == 201
    created = reply.get_json()["keypair"]
    assert created == {"name": "mine", "public_key": ED25519, "fingerprint": ED25519_MD5,
                       "user_id": "admin", "type": "ssh"}
    shown = api.get("/v2.1/os-keypairs/mine", headers=mv("2.10")).get_json()["keypair"]
    assert shown["fingerprint"] == ED25519_MD5 and shown["deleted"] is False
    assert {"id", "created_at", "deleted_at", "updated_at", "user_id"} <= set(shown)
    listed = api.get("/v2.1/os-keypairs", headers=mv("2.10")).get_json()
    assert listed == {"keypairs": [{"keypair": {"name": "mine", "public_key": ED25519,
                                                "fingerprint": ED25519_MD5, "type": "ssh"}}]}


def test_generated_pair_returns_the_private_key_once(api):
    created = _create(api, name="gen").get_json()["keypair"]
    private = serialization.load_pem_private_key(created["private_key"].encode(), None)
    public = private.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                               serialization.PublicFormat.OpenSSH).decode()
    assert created["public_key"].startswith(public)
    blob = base64.b64decode(created["public_key"].split()[1])
    assert created["fingerprint"].count(":") == 15 and len(blob) > 256
    shown = api.get("/v2.1/os-keypairs/gen").get_json()["keypair"]
    assert "private_key" not in shown and shown["public_key"] == created["public_key"]
    # 2.92 only imports.
    reply = _create(api, version="2.92", name="gen2")
    assert reply.status_code == 400 and "public_key" in reply.get_json()["badRequest"]["message"]


def test_x509_import_and_generation(api):
    generated = _create(api, name="cert", type="x509").get_json()["keypair"]
    assert generated["type"] == "x509" and generated["public_key"].startswith("-----BEGIN")
    assert generated["fingerprint"].count(":") == 19  # SHA-1
    imported = _create(api, name="cert2", type="x509", public_key=generated["public_key"])
    assert imported.get_json()["keypair"]["fingerprint"] == generated["fingerprint"]
    bad = _create(api, name="cert3", type="x509", public_key=ED25519)
    assert bad.status_code == 400
    assert "failed to generate X509 fingerprint" in bad.get_json()["badRequest"]["message"]


@pytest.mark.parametrize("body, version", [
    ({"name": "bad/name"}, "2.10"),
    ({"name": "a@b.c"}, "2.91"),
    ({"name": " lead"}, "2.92"),
    ({"name": "x" * 256}, "2.10"),
    ({"name": ""}, "2.10"),
    ({"name": "ok", "type": "rsa"}, "2.10"),
    ({"name": "ok", "type": "ssh"}, "2.1"),
    ({"name": "ok", "user_id": "u2"}, "2.9"),
    ({"name": "ok", "colour": "blue"}, "2.10"),
    ({"name": "ok", "public_key": "ssh-rsa not-a-key"}, "2.10"),
])
def test_bad_requests_are_400(api, body, version):
    reply = _create(api, version=version, **body)
    assert reply.status_code == 400, reply.get_json()
    assert "badRequest" in reply.get_json()


def test_names_allowed_by_2_92(api):
    assert _create(api, version="2.92", name="a@b.c", public_key=ED25519).status_code == 201
    assert _create(api, version="2.10", name="with space_-1",
                   public_key=ED25519).status_code == 201


def test_duplicate_is_409_and_delete_frees_the_name(api):
    assert _create(api, name="dup", public_key=ED25519).status_code == 201
    reply = _create(api, name="dup", public_key=ED25519)
    assert reply.status_code == 409
    assert reply.get_json()["conflictingRequest"]["message"] == "Key pair 'dup' already exists."
    assert api.delete("/v2.1/os-keypairs/dup", headers=mv("2.10")).status_code == 204
    assert api.get("/v2.1/os-keypairs/dup").status_code == 404
    assert api.delete("/v2.1/os-keypairs/dup").status_code == 404
    assert _create(api, name="dup", public_key=ED25519).status_code == 201
    # Before 2.2: 200 on create, 202 on delete, no type.
    old = _create(api, version="2.1", name="old", public_key=ED25519)
    assert old.status_code == 200 and "type" not in old.get_json()["keypair"]
    assert api.delete("/v2.1/os-keypairs/old", headers=mv("2.1")).status_code == 202


def test_quota_of_key_pairs(api):
    reply = api.put("/v2.1/os-quota-sets/default", json={"quota_set": {"key_pairs": 2}})
    assert reply.status_code == 200
    for name in ("k1", "k2"):
        assert _create(api, name=name, public_key=ED25519).status_code == 201
    over = _create(api, name="k3", public_key=ED25519)
    assert over.status_code == 403
    assert over.get_json() == {"forbidden": {"message": "Quota exceeded, too many key pairs.",
                                             "code": 403}}


def test_paging_from_2_35(api):
    for name in ("c", "a", "b"):
        _create(api, name=name, public_key=ED25519)
    page = api.get("/v2.1/os-keypairs?limit=2", headers=mv("2.35")).get_json()
    assert [k["keypair"]["name"] for k in page["keypairs"]] == ["a", "b"]
    assert "marker=b" in page["keypairs_links"][0]["href"]
    rest = api.get("/v2.1/os-keypairs?limit=2&marker=b", headers=mv("2.35")).get_json()
    assert [k["keypair"]["name"] for k in rest["keypairs"]] == ["c"]
    assert "keypairs_links" not in rest
    bad = api.get("/v2.1/os-keypairs?marker=zz", headers=mv("2.35"))
    assert bad.status_code == 400 and "Marker zz could not be found." in bad.get_data(True)
    # Before 2.35 limit is ignored.
    assert len(api.get("/v2.1/os-keypairs?limit=1", headers=mv("2.34"))
               .get_json()["keypairs"]) == 3


def test_admin_acts_for_another_user_a_member_only_for_itself(api, monkeypatch):
    assert _create(api, name="theirs", public_key=ED25519, user_id="u2").status_code == 201
    assert api.get("/v2.1/os-keypairs").get_json()["keypairs"] == []
    theirs = api.get("/v2.1/os-keypairs?user_id=u2", headers=mv("2.10")).get_json()
    assert [k["keypair"]["name"] for k in theirs["keypairs"]] == ["theirs"]
    assert api.get("/v2.1/os-keypairs/theirs?user_id=u2",
                   headers=mv("2.10")).get_json()["keypair"]["user_id"] == "u2"
    stack.as_user(monkeypatch, user_id="u2")
    assert api.get("/v2.1/os-keypairs/theirs").status_code == 200
    assert _create(api, name="x", public_key=ED25519, user_id="admin").status_code == 403
    assert api.get("/v2.1/os-keypairs?user_id=admin", headers=mv("2.10")).status_code == 403
    assert api.delete("/v2.1/os-keypairs/theirs?user_id=admin",
                      headers=mv("2.10")).status_code == 403
    assert api.delete("/v2.1/os-keypairs/theirs", headers=mv("2.10")).status_code == 204


def test_boot_records_key_name_and_key_data(api):
    from stratus.conductor.rpcapi import ConductorAPI

    flavor, image = stack.flavor_id(api), stack.image_id()
    _create(api, name="boot-key", public_key=ED25519)
    bad = stack.boot(api, flavor, image, key_name="nope")
    assert bad.status_code == 400
    assert bad.get_json()["badRequest"]["message"] == "Invalid key_name provided."
    reply = stack.boot(api, flavor, image, key_name="boot-key")
    assert reply.status_code == 202
    server_id = reply.get_json()["server"]["id"]
    shown = api.get(f"/v2.1/servers/{server_id}", headers=mv("latest")).get_json()["server"]
    assert shown["key_name"] == "boot-key"
    instance = ConductorAPI().instance_get(get_admin_context(), server_id)
    assert instance.key_data == ED25519
