"""Fernet tokens, as Keystone's: signed and encrypted with keys kept in
the state dir, so any api process holding the keys validates a token
without asking anyone; only revocation needs the database.

The payload holds who (user and project, ids and names), the roles (with
the implied ones), when (issued, expires) and a random id that a
revocation names. Roles are fixed when the token is issued: a role
granted later shows in the next token; one taken back, or the user
disabled, ends the token (the api re-checks: identity.recheck).

Keys: `<state_dir>/fernet-keys/<n>`, the highest number signs, every one
decrypts (drop a new, higher-numbered key in to rotate, then restart).
Key 0 is created on first use, readable only by this service's user.
Every api host of one cloud needs the same keys."""
import dataclasses
import json
import os
import secrets
import tempfile
import threading
import time

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from stratus.common.integers import is_decimal
from stratus.config import get_settings

_lock = threading.Lock()
_fernets = {}


@dataclasses.dataclass(frozen=True)
class Token:
    """What a valid token says."""

    id: str
    user_id: str
    user_name: str
    project_id: str
    project_name: str
    roles: tuple
    issued_at: float
    expires_at: float


def key_dir():
    return get_settings().state_dir / "fernet-keys"


def _create_key(path):
    """Write a key aside, then link it in place: when two processes start
    at once, both end up using the one that was linked first."""
    fd, scratch = tempfile.mkstemp(dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
        os.link(scratch, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(scratch)


def _load(directory):
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    numbered = [path for path in directory.iterdir() if is_decimal(path.name)]
    if not numbered:
        _create_key(directory / "0")
        numbered = [directory / "0"]
    newest_first = sorted(numbered, key=lambda path: int(path.name), reverse=True)
    return MultiFernet([Fernet(path.read_bytes().strip()) for path in newest_first])


def _fernet():
    directory = key_dir()
    with _lock:
        if directory not in _fernets:
            _fernets[directory] = _load(directory)
        return _fernets[directory]


def issue(user, project, roles, ttl=None):
    """(token text, Token) for a user scoped to a project."""
    now = time.time()
    token = Token(id=secrets.token_urlsafe(16), user_id=user.id, user_name=user.name,
                  project_id=project.id, project_name=project.name, roles=tuple(roles),
                  issued_at=round(now, 6),
                  expires_at=round(now + (ttl or get_settings().token_ttl), 6))
    payload = {"i": token.id, "u": [token.user_id, token.user_name],
               "p": [token.project_id, token.project_name], "r": list(token.roles),
               "t": [token.issued_at, token.expires_at]}
    text = _fernet().encrypt(json.dumps(payload, separators=(",", ":")).encode())
    return text.decode("ascii"), token


def decode(text):
    """The Token, or None when the text is not a token of ours or it has
    expired. (Revocation is the caller's question.)"""
    try:
        data = json.loads(_fernet().decrypt(text.encode("ascii")))
        token = Token(id=data["i"], user_id=data["u"][0], user_name=data["u"][1],
                      project_id=data["p"][0], project_name=data["p"][1],
                      roles=tuple(data["r"]), issued_at=data["t"][0], expires_at=data["t"][1])
    except (InvalidToken, UnicodeError, ValueError, KeyError, IndexError, TypeError):
        return None
    return token if time.time() < token.expires_at else None
