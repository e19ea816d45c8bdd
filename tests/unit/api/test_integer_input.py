"""Integers in query strings, bodies and URL ids are ASCII digits: '²'
(which str.isdigit accepts and int() refuses) and '٣' (which int() reads)
are a 400 in Nova's error shape, never a 500."""
import pytest

from tests.unit.api.conftest import mv
from tests.unit.api.stack import boot, boot_id, flavor_id
from stratus.common.integers import is_decimal, is_integer_id

QUERIES = [
    "/v2.1/servers?limit=²", "/v2.1/servers/detail?limit=²", "/v2.1/servers?limit=٣",
    "/v2.1/flavors?minRam=³", "/v2.1/flavors/detail?minRam=³", "/v2.1/flavors?minDisk=³",
    "/v2.1/flavors?limit=²", "/v2.1/os-keypairs?limit=²", "/v2.1/os-hypervisors?limit=²",
    "/v2.1/os-server-groups?limit=²", "/v2.1/os-server-groups?offset=²",
    "/v2.1/os-migrations?limit=²", "/v2.1/os-migrations?limit=٣",
]


def _bad_request(reply):
    assert reply.status_code == 400, reply.get_data(as_text=True)
    assert reply.get_json()["badRequest"]["code"] == 400
    return reply.get_json()["badRequest"]["message"]


def test_decimal_means_ascii_digits():
    assert is_decimal("042") and is_decimal("-1", signed=True)
    for text in ("²", "٣", "1²", "", " 1", "+1", "-1", "1\n", "1.0", None, 7):
        assert not is_decimal(text), text
    assert is_integer_id(7) and is_integer_id("7")
    assert not any(is_integer_id(v) for v in (True, "²", "٣", "a-uuid", None))


@pytest.mark.parametrize("url", QUERIES)
def test_unicode_digits_in_query_parameters(client, url):
    for version in ("2.1", "latest"):
        _bad_request(client.get(url, headers=mv(version)))


def test_ascii_digits_still_work(client):
    assert client.get("/v2.1/flavors?minRam=0&minDisk=0&limit=5").status_code == 200
    assert client.get("/v2.1/servers?limit= 5").status_code == 200
    assert client.get("/v2.1/os-migrations?limit=5", headers=mv("2.59")).status_code == 200


def test_unicode_digits_in_a_flavor_body(client):
    for field in ("ram", "vcpus", "disk", "swap"):
        body = {"name": "f", "ram": 64, "vcpus": 1, "disk": 1, field: "³"}
        assert field in _bad_request(client.post("/v2.1/flavors", json={"flavor": body}))


def test_unicode_digits_in_a_server_body(client):
    for field in ("min_count", "max_count"):
        assert field in _bad_request(boot(client, "1", "image", **{field: "²"}))
    assert client.get("/v2.1/servers").get_json()["servers"] == []


def test_unicode_digits_in_a_quota_body(client):
    _bad_request(client.put("/v2.1/os-quota-sets/p1", json={"quota_set": {"ram": "٣"}}))


def test_service_ids_are_ascii_integers_before_2_53(client):
    for version in ("2.1", "2.52"):
        message = _bad_request(client.delete("/v2.1/os-services/²", headers=mv(version)))
        assert "id must be an integer" in message
    _bad_request(client.delete("/v2.1/os-services/²", headers=mv("2.53")))


def test_a_server_migration_id_is_an_ascii_integer(client, image, compute_host):
    server = boot_id(client, flavor_id(client), image.id)
    for migration_id in ("²", "٣"):
        reply = client.get(f"/v2.1/servers/{server}/migrations/{migration_id}",
                           headers=mv("2.23"))
        assert "Invalid migration id" in _bad_request(reply)


def test_the_database_takes_unicode_digits_for_a_uuid(client):
    from stratus.common import exception
    from stratus.common.context import get_admin_context
    from stratus.conductor.rpcapi import ConductorAPI

    conductor, ctxt = ConductorAPI(), get_admin_context()
    with pytest.raises(exception.MigrationNotFound):
        conductor.migration_get(ctxt, "²")


def test_a_microversion_is_ascii_digits():
    from werkzeug.exceptions import BadRequest

    from stratus.api import microversion

    assert microversion.parse("2.30") == (2, 30)
    with pytest.raises(BadRequest):
        microversion.parse("2.3٠")  # int() would read 30


def test_a_key_file_named_with_unicode_digits_is_not_a_fernet_key(tmp_path, monkeypatch):
    from stratus import config
    from stratus.api.identity import tokens
    from stratus.common.objects.identity import Project, User

    monkeypatch.setenv("STRATUS_STATE_DIR", str(tmp_path))
    config.reset_settings()
    (tmp_path / "fernet-keys").mkdir()
    (tmp_path / "fernet-keys" / "²").write_text("not a key")
    tokens._fernets.clear()
    try:
        text, issued = tokens.issue(User(id="u", name="u"), Project(id="p", name="p"), [])
        assert tokens.decode(text) == issued
    finally:
        tokens._fernets.clear()
        monkeypatch.undo()
        config.reset_settings()
