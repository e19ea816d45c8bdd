"""Password hashes: salted scrypt, at full cost."""
from stratus.conductor import passwords


def test_passwords_are_salted_slow_hashes():
    first, second = passwords.hash_password("s3cret"), passwords.hash_password("s3cret")
    assert first != second and "s3cret" not in first and first.startswith("scrypt$16384$")
    assert passwords.check_password("s3cret", first)
    assert not passwords.check_password("s3creT", first)
    assert not passwords.check_password("s3cret", None)
