"""Secrets the operator did not set: generated once, kept in the state
dir (mode 0600), the same after every restart."""
import os
import secrets
import tempfile

from stratus.config import get_settings


def stored_secret(name, configured):
    """`configured` if set, else the secret kept in the state dir under
    `name`, generated on first use (two processes racing keep one)."""
    if configured:
        return configured
    path = get_settings().state_dir / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, scratch = tempfile.mkstemp(dir=path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(18))
            os.link(scratch, path)  # written aside: no one reads it half done
        except FileExistsError:
            pass
        finally:
            os.unlink(scratch)
    return path.read_text().strip()
