"""A PostgreSQL database of a benchmark's own on the machine's server
(127.0.0.1:5432, trust, user postgres): created with Stratus's schema
(`stratus db sync`), dropped at the end, and its commit counter."""
import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
STRATUS = str(Path(sys.executable).with_name("stratus"))


@contextlib.contextmanager
def stratus_database(prefix="stratus_bench"):
    """Yield (SQLAlchemy URL, psycopg conninfo) of a fresh database with
    Stratus's tables; dropped when the block ends."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
    url = dsn.replace("postgresql://", "postgresql+psycopg://")
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run([STRATUS, "db", "sync"], check=True, capture_output=True, timeout=120,
                       env=dict(os.environ, STRATUS_DATABASE_URL=url))
        yield url, dsn
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def commits(dsn):
    """Transactions committed in the database of `dsn` so far, as the
    statistics collector last reported them (flushed about once a second:
    read it a second or more after the work)."""
    name = dsn.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        return conn.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = %s",
                            (name,)).fetchone()[0]
