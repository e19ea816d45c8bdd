"""/v2.1/os-certificates on the eager stack: a certificate for the caller
signed by the cloud's CA, and the root."""
from cryptography.x509.oid import NameOID

from tests.unit.api.stack import as_user
from tests.unit.cert.fixtures import _session_ca_path, cert_role, load_certificate  # noqa: F401
from stratus.conductor.rpcapi import ConductorAPI
from stratus.common.context import get_admin_context


def _root(client):
    reply = client.get("/v2.1/os-certificates/root")
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()["certificate"]


def test_create_answers_a_key_and_a_certificate_signed_by_the_root(client, cert_role):
    reply = client.post("/v2.1/os-certificates")
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()["certificate"]
    assert set(body) == {"data", "private_key"}
    assert body["private_key"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    root = _root(client)
    assert root["private_key"] is None
    load_certificate(body["data"]).verify_directly_issued_by(load_certificate(root["data"]))


def test_a_member_gets_a_certificate_for_their_own_user_and_project(client, cert_role,
                                                                     monkeypatch):
    as_user(monkeypatch, user_id="u-member", project_id="p-member")
    reply = client.post("/v2.1/os-certificates", json={})
    assert reply.status_code == 200, reply.get_json()
    certificate = load_certificate(reply.get_json()["certificate"]["data"])
    name = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert name.startswith("p-member-u-member-")
    [record] = ConductorAPI().certificate_get_all(get_admin_context())
    assert (record.serial, record.user_id, record.project_id) == (
        format(certificate.serial_number, "x"), "u-member", "p-member")


def test_only_the_root_certificate_can_be_shown(client, cert_role):
    reply = client.get("/v2.1/os-certificates/1234")
    assert reply.status_code == 501
    assert reply.get_json() == {"notImplemented": {
        "message": "Only root certificate can be retrieved.", "code": 501}}


def test_a_reader_sees_the_root_but_gets_no_certificate(client, cert_role, monkeypatch):
    as_user(monkeypatch, user_id="u-reader", project_id="p-member", roles=("reader",))
    assert client.get("/v2.1/os-certificates/root").status_code == 200
    reply = client.post("/v2.1/os-certificates")
    assert reply.status_code == 403
    assert reply.get_json()["forbidden"]["message"] == \
        "Policy doesn't allow os_compute_api:os-certificates:create to be performed."
    assert ConductorAPI().certificate_get_all(get_admin_context()) == []
