"""The cert role in local mode, for unit tests of the role and of the API:
one CA for the test session (a new root key costs a fraction of a
second), and the role's manager made afresh on it for each test."""
import pytest
from cryptography import x509

from stratus import config


@pytest.fixture(scope="session")
def _session_ca_path(tmp_path_factory):
    return tmp_path_factory.mktemp("ca") / "ca"


@pytest.fixture
def cert_role(db, roles, _session_ca_path, monkeypatch):
    """The cert role's manager (every role registered, a clean database),
    its CA under the session's CA path."""
    from stratus.cert import tasks

    monkeypatch.setenv("STRATUS_CA_PATH", str(_session_ca_path))
    config.reset_settings()
    tasks.manager_for.forget()
    yield tasks.manager_for()
    tasks.manager_for.forget()
    monkeypatch.undo()
    config.reset_settings()


def load_certificate(pem):
    return x509.load_pem_x509_certificate(pem.encode("ascii"))
