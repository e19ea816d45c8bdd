"""Key pair material, as Nova's nova/crypto.py but on `cryptography`:
checking a public key and taking its fingerprint, and generating a pair.

ssh: the fingerprint is the MD5 of the key blob in colon hex (what
`ssh-keygen -E md5 -l` shows). x509: the SHA-1 of the certificate."""
import base64
import binascii
import datetime
import hashlib

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from stratus.common import exception

SSH, X509 = "ssh", "x509"
# Microsoft's User Principal Name, which WinRM maps to the user (as Nova).
_UPN_OID = x509.ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")


def _colon_hex(digest):
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def ssh_fingerprint(public_key):
    """MD5 colon-hex fingerprint of an OpenSSH public key; InvalidKeypair
    when it is not one."""
    try:
        serialization.load_ssh_public_key(public_key.encode("utf-8"))
        blob = base64.b64decode(public_key.split()[1])
    except (ValueError, IndexError, TypeError, UnsupportedAlgorithm):
        raise exception.InvalidKeypair(reason="failed to generate fingerprint") from None
    return _colon_hex(hashlib.md5(blob, usedforsecurity=False).hexdigest())


def x509_fingerprint(pem):
    """SHA-1 colon-hex fingerprint of a PEM certificate."""
    try:
        cert = x509.load_pem_x509_certificate(pem.encode("utf-8"))
    except (ValueError, TypeError) as exc:
        raise exception.InvalidKeypair(reason="failed to generate X509 fingerprint. "
                                       f"Error message: {exc}") from None
    return _colon_hex(binascii.hexlify(cert.fingerprint(hashes.SHA1())).decode("ascii"))


def fingerprint(public_key, key_type):
    return x509_fingerprint(public_key) if key_type == X509 else ssh_fingerprint(public_key)


def generate(key_type, user_id, bits=2048):
    """(private_key, public_key, fingerprint) of a new pair. The private
    key is returned to the user once and never stored."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    if key_type == X509:
        return _x509_pair(key, user_id)
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode("ascii")
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode("ascii")
    public = f"{public} Generated-by-Stratus"
    return private, public, ssh_fingerprint(public)


def _x509_pair(key, user_id):
    """A self-signed client certificate for WinRM (CN=user, UPN
    user@localhost, ten years), the private key as base64 PKCS#12."""
    now = datetime.datetime.now(datetime.timezone.utc)
    # A common name holds at most 64 characters; the UPN keeps the whole id.
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user_id[:64])])
    upn = _der_utf8(f"{user_id}@localhost")
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)
            .add_extension(x509.SubjectAlternativeName([x509.OtherName(_UPN_OID, upn)]),
                           False)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    bundle = pkcs12.serialize_key_and_certificates(None, key, cert, None,
                                                   serialization.NoEncryption())
    return base64.b64encode(bundle).decode("ascii"), pem, x509_fingerprint(pem)


def _der_utf8(text):
    """An ASN.1 DER UTF8String (the value an otherName carries)."""
    data = text.encode("utf-8")
    size = len(data)
    if size < 128:
        length = bytes([size])
    else:  # long form, in as few bytes as the size needs (DER)
        octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(octets)]) + octets
    return b"\x0c" + length + data
