from tests.unit.cert.fixtures import _session_ca_path, cert_role  # noqa: F401
