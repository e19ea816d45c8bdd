"""Engine and sessions. SQLite gets WAL and a busy timeout so the API's
threads and the conductor can share the embedded database.

A transaction that loses its connection, or cannot get one, raises
DatabaseUnavailable (503 at the API): a known condition that a caller
may retry, not a bug. Any other database error stays what it is."""
import contextlib
import logging
import threading

from sqlalchemy import create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from stratus.common import exception
from stratus.config import get_settings

LOG = logging.getLogger(__name__)

_lock = threading.Lock()
_engine = None
_factory = None


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url):
    """An engine for `url`; creates the SQLite file's folder."""
    if url.startswith("sqlite"):
        from pathlib import Path

        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return _watched(engine)
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    # pre-ping: a connection the server dropped (a restart, a failover) is
    # replaced at checkout instead of failing the next transaction, so
    # service resumes by itself once the database is back.
    return _watched(create_engine(
        url, pool_size=10, max_overflow=20, pool_recycle=3600, pool_pre_ping=True,
        connect_args={"connect_timeout": max(1, round(get_settings().database_connect_timeout))}))


def _watched(engine):
    event.listen(engine, "handle_error", _connect_failure_is_disconnect)
    return engine


def _connect_failure_is_disconnect(ctx):
    """Mark a failure to open a connection (refused, server down, database
    not accepting connections) as a disconnect, as SQLAlchemy already
    marks a connection lost mid-transaction: `connection_invalidated` then
    tells both apart from errors in the SQL itself."""
    opening = ctx.connection is None and not ctx.is_pre_ping  # a ping judges itself
    if opening and isinstance(ctx.sqlalchemy_exception, DBAPIError):
        ctx.is_disconnect = True


def get_engine():
    global _engine, _factory
    with _lock:
        if _engine is None:
            _engine = make_engine(get_settings().database_url)
            _factory = sessionmaker(bind=_engine, expire_on_commit=False)
        return _engine


def reset_engine():
    """Drop the engine (tests switch databases)."""
    global _engine, _factory
    with _lock:
        if _engine is not None:
            _engine.dispose()
        _engine = _factory = None


@contextlib.contextmanager
def transaction():
    """A session in one transaction: committed on success, rolled back on
    error. Keep RPC out of it: send messages after the commit.

    Raises DatabaseUnavailable when the connection is lost or cannot be
    opened: the transaction was rolled back (or, lost during the commit
    itself, its outcome is the server's). Other database errors pass
    unchanged."""
    get_engine()
    session = _factory()
    try:
        with session.begin():
            yield session
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise  # a constraint, a bad statement: the caller's error or a bug
        LOG.warning("Database unavailable: %s", exc.orig)
        raise exception.DatabaseUnavailable(reason=_first_line(exc.orig)) from exc
    finally:
        session.close()


def _first_line(error):
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
