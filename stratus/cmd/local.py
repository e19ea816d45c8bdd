"""What the CLI does against the database in its own process (local
mode): bring the schema up to date, and give a forked all-in-one worker
its own engine. With the conductor, the only place that reaches the
database layer (an import-linter contract keeps it so)."""


def sync_schema():
    """Apply every Alembic migration to the configured database."""
    from stratus.conductor.db import migration

    migration.upgrade()


def reset_engine():
    """Forget the engine (a forked process must not share SQLite
    connections with its parent)."""
    from stratus.conductor.db.session import reset_engine as reset

    reset()
