"""Alembic environment: the URL comes from Stratus's settings."""
from alembic import context

from stratus.conductor.db import models
from stratus.conductor.db.session import get_engine

target_metadata = models.Base.metadata


def run_migrations_online():
    with get_engine().connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
