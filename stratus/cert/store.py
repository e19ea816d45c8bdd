"""The CA on disk, under settings.ca_path (Nova's [crypto] ca_path):
`cacert.pem`, and `private/cakey.pem` readable by the service's user only
(the directories 0700, the key 0600).

It is created once, by whichever process gets there first (`stratus ca
init`, or the first start of a cert worker). Processes starting together
take an flock on a lock file in turn, so they end with one CA: the kernel
drops the lock of a process that dies, so no stale lock file can block
the next one. Each file is written to a temporary name and renamed into
place, the certificate last: its presence says the CA is complete."""
import contextlib
import fcntl
import os
import secrets
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from stratus.common import exception
from stratus.cert.authority import Authority, new_root

CA_FILE = "cacert.pem"
KEY_FILE = os.path.join("private", "cakey.pem")
_LOCK_FILE = ".init.lock"


def load_or_create(ca_path, ca_subject):
    """(Authority, created): the CA under `ca_path`, made first with
    subject `ca_subject` if there is none."""
    root = Path(ca_path)
    authority = load(root)
    if authority is not None:
        return authority, False
    _make_dirs(root)
    with _locked(root / _LOCK_FILE):
        authority = load(root)  # made by another process while this one waited
        if authority is not None:
            return authority, False
        key, certificate = new_root(ca_subject)
        _write(root / KEY_FILE, key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()), 0o600)
        _write(root / CA_FILE, certificate.public_bytes(serialization.Encoding.PEM), 0o644)
        return Authority(key, certificate), True


def load(root):
    """The Authority under `root`, or None while it has no certificate."""
    try:
        certificate = x509.load_pem_x509_certificate((root / CA_FILE).read_bytes())
    except FileNotFoundError:
        return None
    try:
        key = serialization.load_pem_private_key((root / KEY_FILE).read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise exception.CertificateAuthorityError(
            reason=f"cannot read the key {root / KEY_FILE}: {exc}") from None
    if key.public_key().public_numbers() != certificate.public_key().public_numbers():
        raise exception.CertificateAuthorityError(
            reason=f"the key {root / KEY_FILE} does not belong to {root / CA_FILE}")
    return Authority(key, certificate)


def _make_dirs(root):
    root.parent.mkdir(parents=True, exist_ok=True)
    for directory in (root, root / os.path.dirname(KEY_FILE)):
        with contextlib.suppress(FileExistsError):
            directory.mkdir(mode=0o700)


@contextlib.contextmanager
def _locked(path):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _write(path, data, mode):
    """Write `data` to `path` atomically, the file created with `mode`
    (never readable by others in between, whatever the umask)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a crash
    finally:
        os.close(directory)
