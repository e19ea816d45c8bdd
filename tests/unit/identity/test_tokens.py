"""Fernet tokens, alone."""
import os
import stat
import time

import pytest
from cryptography.fernet import Fernet

from stratus import config
from stratus.api.identity import tokens
from stratus.common.objects.identity import Project, User

USER, PROJECT = User(id="u1", name="alice"), Project(id="p1", name="demo")


@pytest.fixture
def state(tmp_path, monkeypatch):
    """A state dir of its own: no keys yet."""
    monkeypatch.setenv("STRATUS_STATE_DIR", str(tmp_path))
    config.reset_settings()
    yield tmp_path
    monkeypatch.undo()
    config.reset_settings()


def test_a_token_says_who_for_which_project_until_when(state):
    text, issued = tokens.issue(USER, PROJECT, ["member", "reader"], ttl=60)
    assert tokens.decode(text) == issued
    assert (issued.user_name, issued.project_name, issued.roles) == ("alice", "demo",
                                                                    ("member", "reader"))
    assert issued.expires_at - issued.issued_at == pytest.approx(60)
    assert tokens.issue(USER, PROJECT, [])[1].id != issued.id


def test_expired_tampered_and_foreign_tokens_are_refused(state):
    expired, _ = tokens.issue(USER, PROJECT, ["admin"], ttl=-1)
    assert tokens.decode(expired) is None
    valid, _ = tokens.issue(USER, PROJECT, ["admin"])
    assert tokens.decode(valid[:-4] + ("AAAA" if not valid.endswith("AAAA") else "BBBB")) is None
    foreign = Fernet(Fernet.generate_key()).encrypt(b'{"i": "x"}').decode()
    assert tokens.decode(foreign) is None
    assert tokens.decode("garbage") is None and tokens.decode("ü") is None


def test_the_ttl_comes_from_config(state, monkeypatch):
    monkeypatch.setenv("STRATUS_TOKEN_TTL", "0.2")
    config.reset_settings()
    text, _ = tokens.issue(USER, PROJECT, ["admin"])
    assert tokens.decode(text) is not None
    time.sleep(0.3)
    assert tokens.decode(text) is None


def test_keys_are_created_once_readable_by_the_service_only(state):
    tokens.issue(USER, PROJECT, [])
    directory = state / "fernet-keys"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert [p.name for p in directory.iterdir()] == ["0"]
    assert stat.S_IMODE((directory / "0").stat().st_mode) == 0o600


def test_a_newer_key_signs_and_the_older_still_validates(state):
    old, _ = tokens.issue(USER, PROJECT, [])
    (state / "fernet-keys" / "1").write_bytes(Fernet.generate_key())
    tokens._fernets.clear()  # a restart
    new, _ = tokens.issue(USER, PROJECT, [])
    assert tokens.decode(old) is not None and tokens.decode(new) is not None
    os.remove(state / "fernet-keys" / "0")
    tokens._fernets.clear()
    assert tokens.decode(old) is None and tokens.decode(new) is not None

