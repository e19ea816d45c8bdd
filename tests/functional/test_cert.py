"""The cert role as a real process on the session's distributed cloud:
`stratus cert` makes the CA on its first start; a certificate asked of
the API is signed by it and recorded; revoked with `stratus ca revoke`,
it is in the CRL that `stratus ca crl` fetches from the role."""
import os
import stat

import pytest
from cryptography import x509


@pytest.fixture(scope="module")
def ca_dir(cloud):
    """A cert worker on the session cloud, for this module's tests."""
    ca = cloud.workdir / "state" / "ca"
    cloud.start("cert", "cert", "--concurrency", "2")
    cloud.wait_ready(lambda: (ca / "cacert.pem").exists(), 60, "the cert role's CA")
    yield ca
    cloud.stop("cert")


def _load(pem):
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def _issue(cloud):
    reply = cloud.api("POST", "/os-certificates")
    assert reply.status_code == 200, reply.text
    return _load(reply.json()["certificate"]["data"])


def test_the_first_start_makes_a_ca_whose_key_only_the_service_reads(cloud, ca_dir):
    assert stat.S_IMODE(os.stat(ca_dir / "private" / "cakey.pem").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(ca_dir).st_mode) == 0o700
    reply = cloud.api("GET", "/os-certificates/root")
    assert reply.status_code == 200, reply.text
    assert reply.json()["certificate"] == {"data": (ca_dir / "cacert.pem").read_text(),
                                           "private_key": None}


def test_a_certificate_from_the_api_verifies_and_once_revoked_is_in_the_crl(cloud, ca_dir):
    root = _load((ca_dir / "cacert.pem").read_text())
    revoked = _issue(cloud)
    revoked.verify_directly_issued_by(root)
    serial = format(revoked.serial_number, "x")
    [(user_id, project_id, was_revoked)] = cloud.sql(
        "SELECT user_id, project_id, revoked FROM certificates WHERE serial = %s", serial)
    assert not was_revoked
    out = cloud.run_cli("ca", "revoke", "--user", user_id, "--project", project_id).stdout
    assert serial in out.split()
    kept = _issue(cloud)
    crl = x509.load_pem_x509_crl(cloud.run_cli("ca", "crl").stdout.encode("ascii"))
    assert crl.is_signature_valid(root.public_key())
    assert crl.get_revoked_certificate_by_serial_number(revoked.serial_number) is not None
    assert crl.get_revoked_certificate_by_serial_number(kept.serial_number) is None
