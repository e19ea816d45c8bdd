"""Engine and sessions. SQLite gets WAL and a busy timeout so the API's
threads and the conductor can share the embedded database.

A transaction that loses its connection, or cannot get one, raises
DatabaseUnavailable (503 at the API): a known condition that a caller
may retry, not a bug. Any other database error stays what it is.

Through a short outage (a restart, a failover) the conductor waits
instead of failing: a transaction waits, with backoff, for a connection
before its body runs, and an endpoint whose one transaction lost its
connection midway runs again whole (`retried`). Both share one window
per message (`retry_window`), after which DatabaseUnavailable is raised."""
import contextlib
import contextvars
import logging
import threading

from sqlalchemy import create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import sessionmaker

from stratus.common import backoff, exception
from stratus.config import get_settings

LOG = logging.getLogger(__name__)

_lock = threading.Lock()
_deadline = contextvars.ContextVar("stratus_db_retry_deadline", default=None)
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
    engine = create_engine(
        url, pool_size=10, max_overflow=20, pool_recycle=3600,
        connect_args={"connect_timeout": max(1, round(get_settings().database_connect_timeout))})
    event.listen(engine, "checkout", _begin_at_checkout)
    return _watched(engine)


def _begin_at_checkout(dbapi_conn, _record, _proxy):
    """Send the transaction's BEGIN when the connection leaves the pool:
    it is also the liveness check that pool_pre_ping made with a statement
    of its own (a round trip, and an empty transaction, more on every
    checkout). A connection the server dropped (a restart, a failover)
    is replaced here instead of failing the transaction, so service
    resumes by itself once the database is back; psycopg sends no BEGIN
    of its own once the server is in a transaction."""
    # Imported here: an all-in-one on SQLite never loads psycopg.
    import psycopg
    from psycopg.pq import ExecStatus, TransactionStatus

    if dbapi_conn.autocommit or dbapi_conn.info.transaction_status != TransactionStatus.IDLE:
        return
    try:
        result = dbapi_conn.pgconn.exec_(b"BEGIN")
    except psycopg.Error as exc:
        raise DisconnectionError(str(exc)) from exc
    if result.status != ExecStatus.COMMAND_OK:
        raise DisconnectionError(dbapi_conn.pgconn.error_message.decode(errors="replace"))


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


def db_retry_window(waited=True):
    """Seconds a message may spend waiting for the database.

    For a call (`waited`), at most half the RPC timeout: the API calls
    the conductor with that timeout, and its message may have waited in
    the queue first, so the conductor must give up (DatabaseUnavailable:
    503, nothing done, send it again) well before the API gives up
    waiting (504: the outcome is unknown, which a client cannot act on as
    safely). Work nobody waits for (a cast, the reaper) has the whole
    setting."""
    settings = get_settings()
    window = settings.db_retry_seconds
    if waited:
        window = min(window, settings.rpc_response_timeout / 2)
    return max(0.0, window)


@contextlib.contextmanager
def retry_window(waited=True):
    """One retry window for every transaction run inside (a message's
    work), opened by the outermost caller."""
    if _deadline.get() is not None:
        yield
        return
    token = _deadline.set(backoff.Deadline(db_retry_window(waited)))
    try:
        yield
    finally:
        _deadline.reset(token)


def _current_deadline():
    return _deadline.get() or backoff.Deadline(db_retry_window(waited=False))


def _unavailable(exc):
    """Worth another attempt: the database was out of reach and nothing
    was committed (a commit cut short may have landed: not repeated)."""
    return (isinstance(exc, exception.DatabaseUnavailable)
            and not getattr(exc, "commit_cut", False))


def retried(function, ctxt, kwargs, reply=True):
    """Run `function(ctxt, **kwargs)`, again whole while the database is
    unavailable, within the retry window (of a call when a caller waits
    for the `reply`). Only for functions whose sole effect is one
    transaction: the failed attempt was rolled back, so the next one
    starts from the same state."""
    with retry_window(waited=reply):
        return backoff.retry(lambda: function(ctxt, **kwargs), _unavailable,
                             _current_deadline(), f"{function.__name__}")


def in_retry_window(function, ctxt, kwargs, reply=True):
    """Run `function(ctxt, **kwargs)` with one retry window for all its
    transactions, each waiting for a connection but none repeated: an
    orchestration sends messages between them."""
    with retry_window(waited=reply):
        return function(ctxt, **kwargs)


def _lost(exc):
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _begin():
    """(session, its begun transaction) holding a live connection. A
    refused or dropped connection is tried again with backoff within the
    window: nothing of the transaction has run yet, so waiting is safe."""
    def attempt():
        session = _factory()
        try:
            begun = session.begin()
            session.connection()
            return session, begun
        except BaseException:
            session.close()
            raise

    return backoff.retry(attempt, _lost, _current_deadline(), "Database connection")


def transaction():
    """A session in one transaction: committed on success, rolled back on
    error. Keep RPC out of it: send messages after the commit.

    Raises DatabaseUnavailable when the connection is lost, or cannot be
    opened within the retry window: the transaction was rolled back (or,
    lost during the commit itself, its outcome is the server's: the
    error's `commit_cut` is then true). Other database errors pass
    unchanged."""
    return _guarded(_begin)


def core_transaction():
    """transaction() for a body of Core statements only, run on a
    Connection rather than a Session: no session state to set up, flush
    and tear down on every transaction of the busiest endpoints. Same
    retry window, same BEGIN at checkout, same errors. Yields a
    CoreSession."""
    return _guarded(_connect)


class CoreSession:
    """A transaction's Connection with what Core statements use of a
    Session: execute, begin_nested (a savepoint), flush (nothing is ever
    pending) and get_bind. ORM calls (scalars, add) are missing on
    purpose: a body that needs them takes a transaction()."""

    __slots__ = ("_connection", "execute", "begin_nested")

    def __init__(self, connection):
        self._connection = connection
        self.execute = connection.execute
        self.begin_nested = connection.begin_nested

    def flush(self):
        pass

    def get_bind(self):
        return self._connection.engine

    def close(self):
        self._connection.close()


def _connect():
    """(a CoreSession, its begun transaction), as _begin."""
    def attempt():
        connection = _engine.connect()
        try:
            return CoreSession(connection), connection.begin()
        except BaseException:
            connection.close()
            raise

    return backoff.retry(attempt, _lost, _current_deadline(), "Database connection")


@contextlib.contextmanager
def _guarded(begin):
    """The body of transaction() and core_transaction(), on what `begin`
    opens: (a session, its begun transaction)."""
    get_engine()
    try:
        session, begun = begin()
    except DBAPIError as exc:
        _raise_if_lost(exc, committing=False)
        raise
    committing = False
    try:
        with begun:
            yield session
            committing = True
    except DBAPIError as exc:
        _raise_if_lost(exc, committing)
        raise  # a constraint, a bad statement: the caller's error or a bug
    finally:
        session.close()


def _raise_if_lost(exc, committing):
    """DatabaseUnavailable from `exc` if it is a lost connection."""
    if not exc.connection_invalidated:
        return
    LOG.warning("Database unavailable: %s", exc.orig)
    unavailable = exception.DatabaseUnavailable(reason=_first_line(exc.orig))
    unavailable.commit_cut = committing
    raise unavailable from exc


def _first_line(error):
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
