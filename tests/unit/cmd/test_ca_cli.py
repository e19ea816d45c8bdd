"""`stratus ca`: the CA made once, revocation by user and project, the
CRL printed or written (local mode: the cert role runs in-process)."""
import os
import stat

import pytest
from click.testing import CliRunner
from cryptography import x509

from stratus import config
from tests.unit.cert.fixtures import _session_ca_path, cert_role  # noqa: F401
from stratus.cert.rpcapi import CertAPI
from stratus.cmd.main import cli
from stratus.common.context import get_admin_context


@pytest.fixture
def fresh_ca(tmp_path, monkeypatch):
    monkeypatch.setenv("STRATUS_CA_PATH", str(tmp_path / "ca"))
    config.reset_settings()
    yield tmp_path / "ca"
    monkeypatch.undo()
    config.reset_settings()


def test_ca_init_creates_the_ca_once(fresh_ca):
    first = CliRunner().invoke(cli, ["ca", "init"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("created CA CN=Stratus CA,")
    again = CliRunner().invoke(cli, ["ca", "init"])
    assert again.exit_code == 0 and again.output.startswith("existing CA ")
    assert again.output.split("sha256=")[1] == first.output.split("sha256=")[1]
    assert stat.S_IMODE(os.stat(fresh_ca / "private" / "cakey.pem").st_mode) == 0o600


def test_ca_revoke_needs_a_user_or_a_project(cert_role):
    out = CliRunner().invoke(cli, ["ca", "revoke"])
    assert out.exit_code == 2 and "name a --user, a --project or both" in out.output


def test_ca_revoke_then_the_crl_lists_the_certificate(cert_role, tmp_path):
    api, ctxt = CertAPI(), get_admin_context()
    kept = x509.load_pem_x509_certificate(api.generate_x509_cert(ctxt, "u1", "p2")[1].encode())
    gone = x509.load_pem_x509_certificate(api.generate_x509_cert(ctxt, "u1", "p1")[1].encode())
    out = CliRunner().invoke(cli, ["ca", "revoke", "--user", "u1", "--project", "p1"])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines() == ["revoked 1 certificate(s)", format(gone.serial_number, "x")]
    printed = CliRunner().invoke(cli, ["ca", "crl"])
    assert printed.exit_code == 0, printed.output
    crl = x509.load_pem_x509_crl(printed.output.encode())
    assert crl.get_revoked_certificate_by_serial_number(gone.serial_number) is not None
    assert crl.get_revoked_certificate_by_serial_number(kept.serial_number) is None
    written = CliRunner().invoke(cli, ["ca", "crl", "--output", str(tmp_path / "crl.pem")])
    assert written.exit_code == 0 and "CRL written to" in written.output
    assert len(x509.load_pem_x509_crl((tmp_path / "crl.pem").read_bytes())) == 1


def test_ca_commands_run_the_cert_role_in_process(cert_role, no_broker):
    """No cert worker, no broker: the CA files and the database are here."""
    revoked = CliRunner().invoke(cli, ["ca", "revoke", "--project", "p-none"])
    assert revoked.exit_code == 0, revoked.output
    printed = CliRunner().invoke(cli, ["ca", "crl"])
    assert printed.exit_code == 0 and "BEGIN X509 CRL" in printed.output
