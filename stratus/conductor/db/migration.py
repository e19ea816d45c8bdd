"""Schema changes through Alembic: `stratus db sync` calls upgrade()."""
from pathlib import Path

from alembic import command
from alembic.config import Config

_HERE = Path(__file__).parent


def alembic_config():
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    return cfg


def upgrade(revision="head"):
    """Bring the configured database to `revision`."""
    command.upgrade(alembic_config(), revision)


def revision(message):
    """Write a new migration from the models (developers only)."""
    command.revision(alembic_config(), message=message, autogenerate=True)
