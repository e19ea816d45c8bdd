"""The cloud's certificate authority in memory: a self-signed root, the
user certificates it signs and the CRLs it issues. Nova did this with the
openssl command and an openssl.cnf; here it is the `cryptography` package,
with the extensions Nova's v3_ca / v3_req sections asked for."""
import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from stratus.cert import subject

CA_KEY_BITS = 3072
USER_KEY_BITS = 2048
# Nova's root lived 365 days, after which every certificate stopped
# verifying at once; a root outlives what it signs by far.
CA_VALIDITY = datetime.timedelta(days=3650)
_USAGES = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
           "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")


def _key_usage(*allowed):
    return x509.KeyUsage(**{usage: usage in allowed for usage in _USAGES})


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _pem(obj):
    return obj.public_bytes(serialization.Encoding.PEM).decode("ascii")


def isotime(when):
    """Nova's utils.isotime: the time a user certificate's subject carries."""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def new_root(ca_subject):
    """(key, certificate) of a new self-signed root: CA:TRUE, signing only
    end-entity certificates (pathlen 0) and CRLs."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=CA_KEY_BITS)
    name = subject.name(ca_subject)
    now = _now()
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage("key_cert_sign", "crl_sign"), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256()))
    return key, certificate


class Authority:
    """A CA's key and root certificate: signs user certificates and CRLs."""

    def __init__(self, key, certificate):
        self.key = key
        self.certificate = certificate
        self.certificate_pem = _pem(certificate)
        self._key_id = x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key())

    def issue(self, user_id, project_id, subject_template, validity_days):
        """(private key PEM, certificate PEM, serial in hex) of a new key
        pair for the user in the project, its subject `subject_template`
        filled with (project, user, now). The key is never kept."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=USER_KEY_BITS)
        now = _now()
        serial = x509.random_serial_number()
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject.name(subject_template, project_id, user_id, isotime(now)))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key()).serial_number(serial)
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=validity_days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage("digital_signature", "key_encipherment"), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(self._key_id, critical=False)
            .sign(self.key, hashes.SHA256()))
        # The traditional "RSA PRIVATE KEY" form, as Nova's `openssl genrsa` gave.
        private = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.TraditionalOpenSSL,
                                    serialization.NoEncryption()).decode("ascii")
        return private, _pem(certificate), format(serial, "x")

    def crl(self, revoked, validity):
        """A CRL (PEM) naming every `revoked` (serial in hex, revocation
        time as a naive UTC datetime), signed now, next update after
        `validity` (a timedelta)."""
        now = _now()
        builder = (
            x509.CertificateRevocationListBuilder().issuer_name(self.certificate.subject)
            .last_update(now).next_update(now + validity)
            # CRL numbers must grow (RFC 5280): the signing time in
            # microseconds does, with no counter to keep between processes.
            .add_extension(x509.CRLNumber(int(now.timestamp() * 1_000_000)), critical=False)
            .add_extension(self._key_id, critical=False))
        for serial, revoked_at in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(int(serial, 16))
                .revocation_date(revoked_at.replace(tzinfo=datetime.timezone.utc)).build())
        return _pem(builder.sign(self.key, hashes.SHA256()))
