"""The cert role on the eager stack (its calls through CertAPI, its
records through the conductor on SQLite): certificates that verify
against the CA, revocation by user, project or both, and the CRL."""
import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import NameOID

from stratus import config
from tests.unit.cert.fixtures import load_certificate
from stratus.common import exception
from stratus.cert.rpcapi import CertAPI
from stratus.conductor.rpcapi import ConductorAPI
from stratus.common.context import RequestContext, get_admin_context


def _issue(user_id, project_id):
    ctxt = RequestContext(user_id=user_id, project_id=project_id, roles=["member"])
    private_key, pem = CertAPI().generate_x509_cert(ctxt, user_id, project_id)
    return private_key, load_certificate(pem)


def _root():
    return load_certificate(CertAPI().fetch_ca(get_admin_context()))


def test_a_certificate_is_signed_by_the_ca_for_its_user_and_project(cert_role):
    private_key, certificate = _issue("u-alice", "p-one")
    root = _root()
    root.public_key().verify(certificate.signature, certificate.tbs_certificate_bytes,
                             padding.PKCS1v15(), certificate.signature_hash_algorithm)
    certificate.verify_directly_issued_by(root)
    assert certificate.issuer == root.subject
    common_name = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert common_name.startswith("p-one-u-alice-")
    assert not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert private_key.startswith("-----BEGIN RSA PRIVATE KEY-----")
    key = serialization.load_pem_private_key(private_key.encode("ascii"), password=None)
    assert key.public_key().public_numbers() == certificate.public_key().public_numbers()


def test_each_certificate_is_recorded_with_its_serial_and_owner(cert_role):
    _, first = _issue("u-alice", "p-one")
    _, second = _issue("u-alice", "p-one")
    records = ConductorAPI().certificate_get_all(get_admin_context())
    assert [(r.serial, r.user_id, r.project_id, r.revoked) for r in records] == [
        (format(first.serial_number, "x"), "u-alice", "p-one", False),
        (format(second.serial_number, "x"), "u-alice", "p-one", False)]


def test_the_root_is_the_ca_certificate_on_disk(cert_role, _session_ca_path):
    assert CertAPI().fetch_ca(get_admin_context()) == \
        (_session_ca_path / "cacert.pem").read_text()


def _crl():
    return x509.load_pem_x509_crl(CertAPI().fetch_crl(get_admin_context()).encode("ascii"))


def _revoke(by, user_id, project_id):
    api, ctxt = CertAPI(), get_admin_context()
    if by == "user":
        return api.revoke_certs_by_user(ctxt, user_id)
    if by == "project":
        return api.revoke_certs_by_project(ctxt, project_id)
    return api.revoke_certs_by_user_and_project(ctxt, user_id, project_id)


@pytest.mark.parametrize("by, revoked", [
    ("user", {("u-alice", "p-one"), ("u-alice", "p-two")}),
    ("project", {("u-alice", "p-one"), ("u-bob", "p-one")}),
    ("both", {("u-alice", "p-one")}),
])
def test_revoked_certificates_and_only_they_are_in_the_crl(cert_role, by, revoked):
    serials = {}
    for owner in [("u-alice", "p-one"), ("u-alice", "p-two"), ("u-bob", "p-one")]:
        serials[owner] = _issue(*owner)[1].serial_number
    answered = _revoke(by, "u-alice", "p-one")
    assert sorted(answered) == sorted(format(serials[o], "x") for o in revoked)
    crl = _crl()
    for owner, serial in serials.items():
        listed = crl.get_revoked_certificate_by_serial_number(serial)
        assert (listed is not None) == (owner in revoked), owner
    assert len(crl) == len(revoked)
    assert _revoke(by, "u-alice", "p-one") == []  # nothing left to revoke


def test_the_crl_is_signed_by_the_ca_and_says_when_to_fetch_the_next(cert_role):
    _issue("u-alice", "p-one")
    empty = _crl()
    assert len(empty) == 0
    _revoke("user", "u-alice", None)
    crl = _crl()
    root = _root()
    assert crl.is_signature_valid(root.public_key())
    assert crl.issuer == root.subject
    now = datetime.datetime.now(datetime.timezone.utc)
    assert now - datetime.timedelta(minutes=1) < crl.last_update_utc <= now
    assert crl.next_update_utc - crl.last_update_utc == datetime.timedelta(hours=24)
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert number > empty.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number


def test_a_revocation_names_a_user_or_a_project(cert_role):
    with pytest.raises(exception.Invalid):
        ConductorAPI().certificate_revoke(get_admin_context())


def test_a_user_subject_that_cannot_be_filled_stops_the_role_at_start(cert_role, monkeypatch):
    monkeypatch.setenv("STRATUS_USER_CERT_SUBJECT", "/C=US/CN=%s")
    config.reset_settings()
    with pytest.raises(exception.CertificateAuthorityError, match="does not take 3 values"):
        cert_role.init_host()
