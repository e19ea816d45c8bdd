"""The CA on disk: a self-signed root for certificates and CRLs, its key
readable by the service's user only, and made once however many
processes start together."""
import multiprocessing
import os
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from stratus.common import exception
from stratus.cert import store, subject

SUBJECT = "/C=US/ST=California/O=Stratus ROOT/CN=Test CA"


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_ca_is_a_self_signed_root_that_signs_certificates_and_crls(tmp_path):
    authority, created = store.load_or_create(tmp_path / "ca", SUBJECT)
    root = authority.certificate
    assert created
    assert root.subject == root.issuer == subject.name(SUBJECT)
    constraints = root.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = root.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
    assert not usage.value.digital_signature and not usage.value.key_encipherment
    root.public_key().verify(root.signature, root.tbs_certificate_bytes, padding.PKCS1v15(),
                             root.signature_hash_algorithm)
    assert (tmp_path / "ca" / "cacert.pem").read_text() == authority.certificate_pem


def test_the_ca_key_is_readable_by_the_service_user_only_whatever_the_umask(tmp_path):
    previous = os.umask(0)
    try:
        store.load_or_create(tmp_path / "ca", SUBJECT)
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "ca" / "private" / "cakey.pem") == 0o600
    assert _mode(tmp_path / "ca" / "private") == 0o700
    assert _mode(tmp_path / "ca") == 0o700


def test_a_second_start_loads_the_same_ca(tmp_path):
    first, _ = store.load_or_create(tmp_path / "ca", SUBJECT)
    again, created = store.load_or_create(tmp_path / "ca", "/CN=another subject")
    assert not created
    assert again.certificate == first.certificate
    assert again.key.private_numbers() == first.key.private_numbers()


def _start(ca_path, barrier, results):
    barrier.wait()
    authority, created = store.load_or_create(ca_path, SUBJECT)
    results.put((authority.certificate.fingerprint(hashes.SHA256()), created))


def test_processes_creating_the_ca_at_once_end_with_one_ca(tmp_path):
    spawn = multiprocessing.get_context("spawn")
    barrier, results = spawn.Barrier(4), spawn.Queue()
    workers = [spawn.Process(target=_start, args=(tmp_path / "ca", barrier, results))
               for _ in range(4)]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(30)
    assert len({fingerprint for fingerprint, _ in answers}) == 1
    assert sorted(created for _, created in answers) == [False, False, False, True]
    # The files on disk are that CA, its key matching its certificate.
    on_disk = store.load(tmp_path / "ca")
    assert on_disk.certificate.fingerprint(hashes.SHA256()) == answers[0][0]


def test_a_key_that_does_not_match_the_certificate_is_refused(tmp_path):
    store.load_or_create(tmp_path / "one", SUBJECT)
    store.load_or_create(tmp_path / "two", SUBJECT)
    (tmp_path / "one" / "cacert.pem").write_bytes((tmp_path / "two" / "cacert.pem").read_bytes())
    with pytest.raises(exception.CertificateAuthorityError, match="does not belong"):
        store.load(tmp_path / "one")
