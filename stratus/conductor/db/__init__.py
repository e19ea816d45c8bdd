"""The database: SQLAlchemy 2 models, sessions and Alembic migrations.
Only the conductor imports this package (an import-linter contract)."""
