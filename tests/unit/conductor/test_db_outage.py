"""A database out of reach is DatabaseUnavailable (503), raised by the
conductor's transaction; an error in the SQL itself stays what it is."""
import pytest
import sqlalchemy
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from stratus.common import exception
from stratus.conductor.db import session as db_session
from stratus.conductor.db.session import core_transaction, transaction

# core_transaction() (a Connection, for Core-only bodies) fails as transaction() does.
OPENERS = pytest.mark.parametrize("opener", [transaction, core_transaction])


class _Closed(Exception):
    """Stands for the driver's error: the server closed the connection."""


@OPENERS
def test_a_connection_lost_mid_transaction_is_database_unavailable(opener, db):
    lost = OperationalError("SELECT 1", {}, _Closed("server closed the connection"),
                            connection_invalidated=True)
    with pytest.raises(exception.DatabaseUnavailable) as caught:
        with opener():
            raise lost
    assert caught.value.code == 503 and caught.value.__cause__ is lost
    assert "server closed the connection" in caught.value.message


@OPENERS
def test_a_constraint_violation_stays_an_integrity_error(opener, db):
    duplicate = IntegrityError("INSERT", {}, _Closed("duplicate key"))
    with pytest.raises(IntegrityError):
        with opener():
            raise duplicate


@OPENERS
def test_a_bad_statement_on_a_live_connection_stays_an_operational_error(opener, db):
    with pytest.raises(OperationalError) as caught:
        with opener() as session:
            session.execute(text("SELECT * FROM no_such_table"))
    assert not isinstance(caught.value, exception.StratusException)


@OPENERS
def test_a_connection_that_cannot_be_opened_is_database_unavailable(opener, db,
                                                                    unreachable_database):
    with pytest.raises(exception.DatabaseUnavailable, match="unable to open database file"):
        with opener() as session:
            session.execute(text("SELECT 1"))


def test_postgresql_connections_are_checked_before_use_and_open_within_a_bound(monkeypatch):
    made = {}

    def create_engine(url, **kwargs):
        made.update(kwargs)
        return sqlalchemy.create_engine(url, **kwargs)

    monkeypatch.setattr(db_session, "create_engine", create_engine)
    engine = db_session.make_engine("postgresql://postgres@127.0.0.1:1/none")
    # A connection dropped by a restart is replaced at checkout (its BEGIN
    # is the check: see below), and an unanswered connect gives up within
    # the setting.
    assert sqlalchemy.event.contains(engine, "checkout", db_session._begin_at_checkout)
    assert made["connect_args"] == {"connect_timeout": 5}
    engine.dispose()


class _PgConn:
    def __init__(self, alive):
        self.alive, self.sent = alive, []
        self.error_message = b"server closed the connection unexpectedly"

    def exec_(self, command):
        from psycopg.pq import ExecStatus

        self.sent.append(command)
        status = ExecStatus.COMMAND_OK if self.alive else ExecStatus.FATAL_ERROR
        return type("Result", (), {"status": status})()


class _Driver:
    """A psycopg connection as the pool hands it out (PostgreSQL only)."""

    def __init__(self, alive=True, autocommit=False, in_transaction=False):
        from psycopg.pq import TransactionStatus

        self.autocommit, self.pgconn = autocommit, _PgConn(alive)
        status = TransactionStatus.INTRANS if in_transaction else TransactionStatus.IDLE
        self.info = type("Info", (), {"transaction_status": status})()


def test_a_checkout_begins_the_transaction_in_one_round_trip():
    """The BEGIN is the liveness check (no ping statement of its own)."""
    driver = _Driver()
    db_session._begin_at_checkout(driver, None, None)
    assert driver.pgconn.sent == [b"BEGIN"]
    for quiet in (_Driver(autocommit=True), _Driver(in_transaction=True)):
        db_session._begin_at_checkout(quiet, None, None)
        assert quiet.pgconn.sent == []


def test_a_connection_the_server_dropped_is_replaced_at_checkout():
    with pytest.raises(sqlalchemy.exc.DisconnectionError, match="server closed"):
        db_session._begin_at_checkout(_Driver(alive=False), None, None)
