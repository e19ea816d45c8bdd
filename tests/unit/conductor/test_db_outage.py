"""A database out of reach is DatabaseUnavailable (503), raised by the
conductor's transaction; an error in the SQL itself stays what it is."""
import pytest
import sqlalchemy
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from stratus.common import exception
from stratus.conductor.db import session as db_session
from stratus.conductor.db.session import transaction


class _Closed(Exception):
    """Stands for the driver's error: the server closed the connection."""


def test_a_connection_lost_mid_transaction_is_database_unavailable(db):
    lost = OperationalError("SELECT 1", {}, _Closed("server closed the connection"),
                            connection_invalidated=True)
    with pytest.raises(exception.DatabaseUnavailable) as caught:
        with transaction():
            raise lost
    assert caught.value.code == 503 and caught.value.__cause__ is lost
    assert "server closed the connection" in caught.value.message


def test_a_constraint_violation_stays_an_integrity_error(db):
    duplicate = IntegrityError("INSERT", {}, _Closed("duplicate key"))
    with pytest.raises(IntegrityError):
        with transaction():
            raise duplicate


def test_a_bad_statement_on_a_live_connection_stays_an_operational_error(db):
    with pytest.raises(OperationalError) as caught:
        with transaction() as session:
            session.execute(text("SELECT * FROM no_such_table"))
    assert not isinstance(caught.value, exception.StratusException)


def test_a_connection_that_cannot_be_opened_is_database_unavailable(db, unreachable_database):
    with pytest.raises(exception.DatabaseUnavailable, match="unable to open database file"):
        with transaction() as session:
            session.execute(text("SELECT 1"))


def test_postgresql_connections_are_checked_before_use_and_open_within_a_bound(monkeypatch):
    made = {}

    def create_engine(url, **kwargs):
        made.update(kwargs)
        return sqlalchemy.create_engine(url, **kwargs)

    monkeypatch.setattr(db_session, "create_engine", create_engine)
    db_session.make_engine("postgresql://postgres@127.0.0.1:1/none").dispose()
    # A connection dropped by a restart is replaced at checkout, and an
    # unanswered connect gives up within the setting.
    assert made["pool_pre_ping"] is True
    assert made["connect_args"] == {"connect_timeout": 5}
