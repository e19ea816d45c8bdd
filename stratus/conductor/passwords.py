"""Password hashes: scrypt with a random salt (memory-hard and slow on
purpose), stored as "scrypt$n$r$p$salt$hash" so the cost can be raised
later without breaking existing hashes."""
import base64
import hashlib
import hmac
import secrets

_N, _R, _P = 2 ** 14, 8, 1
_LENGTH = 32


def _b64(data):
    return base64.b64encode(data).decode("ascii")


def _derive(password, salt, n, r, p):
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_LENGTH,
                          maxmem=256 * n * r + (1 << 20))


def hash_password(password):
    salt = secrets.token_bytes(16)
    digest = _derive(password, salt, _N, _R, _P)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def check_password(password, stored):
    """Whether `password` matches the stored hash; without one (no user, or
    a user with no password) a dummy hash is still computed, so a wrong
    user name takes as long to refuse as a wrong password."""
    if not stored:
        _derive(password, b"\0" * 16, _N, _R, _P)
        return False
    scheme, n, r, p, salt, digest = stored.split("$")
    if scheme != "scrypt":
        return False
    actual = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
    return hmac.compare_digest(actual, base64.b64decode(digest))
