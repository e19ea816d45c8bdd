"""Engine and sessions. SQLite gets WAL and a busy timeout so the API's
threads and the conductor can share the embedded database."""
import contextlib
import threading

from sqlalchemy import create_engine, event
from sqlalchemy.orm import sessionmaker

from stratus.config import get_settings

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
        return engine
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return create_engine(url, pool_size=10, max_overflow=20, pool_recycle=3600)


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
    error. Keep RPC out of it: send messages after the commit."""
    get_engine()
    session = _factory()
    try:
        with session.begin():
            yield session
    finally:
        session.close()
