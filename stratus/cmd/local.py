"""What the CLI does against the database in its own process (local
mode): bring the schema up to date, run the operator commands with the
conductor's code in this process, and give a forked all-in-one worker
its own engine. With the conductor, the only place that reaches the
database layer (an import-linter contract keeps it so)."""


def sync_schema():
    """Apply every Alembic migration to the configured database."""
    from stratus.conductor.db import migration

    migration.upgrade()


def operator_mode(*roles):
    """Serve `roles` (the conductor, and the cert role for `stratus ca`)
    inside this process, eagerly, whatever CELERY_TASK_ALWAYS_EAGER says.

    As nova-manage and keystone-manage do on a controller, an operator
    command works on the cloud's database (STRATUS_DATABASE_URL) and
    files (STRATUS_STATE_DIR, STRATUS_CA_PATH) directly: it needs no
    broker and no running worker, and it cannot wait on a queue nobody
    serves. Only operator commands call this; the role commands
    (`stratus conductor`, `compute`...) keep the configured mode."""
    from stratus.common.celeryapp import app, load_roles

    app.conf.task_always_eager = True
    load_roles(*roles)


def reset_engine():
    """Forget the engine (a forked process must not share SQLite
    connections with its parent)."""
    from stratus.conductor.db.session import reset_engine as reset

    reset()
