"""The API fixtures (app, token-sending client, anonymous client)."""
import pytest

from tests.unit.api.conftest import (anonymous, app, client, compute_host, image,  # noqa: F401
                                     stack)


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """scrypt at a small cost: these tests hash a password or two each
    (tests/unit/conductor/test_passwords.py checks the real cost)."""
    from stratus.conductor import passwords

    monkeypatch.setattr(passwords, "_N", 2 ** 8)
