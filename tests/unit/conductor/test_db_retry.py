"""The conductor rides out a short database outage: a transaction waits
for a connection with backoff, an endpoint whose one transaction lost its
connection runs again whole, both within one bounded window. On the real
(SQLite) database, its connections refused by a hook on the engine."""
import sqlite3

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from stratus import config
from stratus.common import exception
from stratus.conductor.db import session as db_session
from stratus.conductor.db.session import retried, transaction


@pytest.fixture
def probe(db, monkeypatch):
    """A fresh engine with a table of its own; `probe.refuse(n)` drops
    the pooled connections and makes the next n fail to open."""
    db_session.reset_engine()
    engine = db_session.get_engine()
    refusals = {"left": 0, "opened": 0}

    def connect(dialect, record, cargs, cparams):
        if refusals["left"]:
            refusals["left"] -= 1
            raise sqlite3.OperationalError("connection refused")
        refusals["opened"] += 1

    event.listen(engine, "do_connect", connect)
    with transaction() as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS retry_probe (n INTEGER)"))
    engine.dispose()  # the next transaction opens a connection anew

    class Probe:
        def refuse(self, times):
            engine.dispose()
            refusals["left"] = times

        def rows(self):
            with transaction() as session:
                return [n for (n,) in session.execute(text("SELECT n FROM retry_probe"))]

    yield Probe()
    refusals["left"] = 0
    with transaction() as session:
        session.execute(text("DROP TABLE retry_probe"))
    db_session.reset_engine()


def _window(monkeypatch, seconds, rpc_timeout=60):
    monkeypatch.setenv("STRATUS_DB_RETRY_SECONDS", str(seconds))
    monkeypatch.setenv("STRATUS_RPC_RESPONSE_TIMEOUT", str(rpc_timeout))
    config.reset_settings()


@pytest.fixture(autouse=True)
def _settings_back():
    yield
    config.reset_settings()


def _insert(n):
    with transaction() as session:
        session.execute(text("INSERT INTO retry_probe (n) VALUES (:n)"), {"n": n})


def test_a_transaction_waits_for_a_refused_connection_then_commits(probe, fake_time,
                                                                    monkeypatch):
    _window(monkeypatch, 15)
    probe.refuse(3)
    _insert(1)
    assert probe.rows() == [1]
    assert fake_time.pauses == [0.25, 0.5, 1.0]


def test_the_window_bounds_the_wait_then_the_database_is_unavailable(probe, fake_time,
                                                                       monkeypatch):
    _window(monkeypatch, 5)
    probe.refuse(1000)
    with pytest.raises(exception.DatabaseUnavailable, match="connection refused"):
        _insert(1)
    assert fake_time.pauses == [0.25, 0.5, 1.0, 2.0]
    probe.refuse(0)
    assert probe.rows() == []  # and back at once when the database is


def test_a_window_of_zero_answers_at_once(probe, fake_time, monkeypatch):
    _window(monkeypatch, 0)
    probe.refuse(1)
    with pytest.raises(exception.DatabaseUnavailable):
        _insert(1)
    assert fake_time.pauses == []


def test_a_calls_window_stays_below_half_the_rpc_timeout(monkeypatch):
    # The API must hear the conductor's 503 before its own call times out.
    _window(monkeypatch, 15, rpc_timeout=10)
    assert db_session.db_retry_window() == 5
    # Nobody waits for a cast: it has the whole setting.
    assert db_session.db_retry_window(waited=False) == 15
    _window(monkeypatch, 15, rpc_timeout=60)
    assert db_session.db_retry_window() == 15


def _lost():
    return OperationalError("INSERT", {}, sqlite3.OperationalError("server closed the connection"),
                            connection_invalidated=True)


def test_an_endpoint_whose_transaction_lost_its_connection_runs_again_whole(
        probe, fake_time, monkeypatch):
    _window(monkeypatch, 15)
    runs = []

    def endpoint(ctxt, n):
        with transaction() as session:
            session.execute(text("INSERT INTO retry_probe (n) VALUES (:n)"), {"n": n})
            runs.append(n)
            if len(runs) == 1:
                raise _lost()  # after the insert: the first attempt's row is rolled back
            session.execute(text("INSERT INTO retry_probe (n) VALUES (:n)"), {"n": n + 1})
        return "done"

    assert retried(endpoint, None, {"n": 7}, reply=True) == "done"
    assert runs == [7, 7] and fake_time.pauses == [0.25]
    assert sorted(probe.rows()) == [7, 8]  # one whole transaction, not one and a half


def test_a_commit_cut_short_is_not_repeated(probe, fake_time, monkeypatch):
    # Its outcome is the server's: repeating it could apply it twice.
    _window(monkeypatch, 15)
    runs = []

    def cut(session):
        raise _lost()

    event.listen(db_session._factory, "before_commit", cut)
    try:
        with pytest.raises(exception.DatabaseUnavailable) as caught:
            retried(lambda ctxt: runs.append(1) or _insert(1), None, {}, reply=True)
    finally:
        event.remove(db_session._factory, "before_commit", cut)
    assert caught.value.commit_cut and runs == [1] and fake_time.pauses == []


def test_the_transactions_of_one_message_share_one_window(probe, fake_time, monkeypatch):
    _window(monkeypatch, 5)

    def orchestration(ctxt):
        probe.refuse(3)
        _insert(1)  # waits 0.25 + 0.5 + 1 of the window's 5 s
        probe.refuse(1000)
        _insert(2)

    with pytest.raises(exception.DatabaseUnavailable):
        db_session.in_retry_window(orchestration, None, {}, reply=False)
    assert sum(fake_time.pauses) <= 5
    assert fake_time.pauses == [0.25, 0.5, 1.0, 0.25, 0.5, 1.0]


def test_a_core_transaction_waits_for_a_refused_connection_then_commits(probe, fake_time,
                                                                         monkeypatch):
    _window(monkeypatch, 15)
    probe.refuse(3)
    with db_session.core_transaction() as session:
        session.execute(text("INSERT INTO retry_probe (n) VALUES (:n)"), {"n": 1})
    assert probe.rows() == [1]
    assert fake_time.pauses == [0.25, 0.5, 1.0]


def test_a_core_transactions_commit_cut_short_is_not_repeated(probe, fake_time, monkeypatch):
    _window(monkeypatch, 15)
    runs = []

    def cut(connection):
        raise _lost()

    def endpoint(ctxt):
        runs.append(1)
        with db_session.core_transaction() as session:
            session.execute(text("INSERT INTO retry_probe (n) VALUES (1)"))

    engine = db_session.get_engine()
    event.listen(engine, "commit", cut)
    try:
        with pytest.raises(exception.DatabaseUnavailable) as caught:
            retried(endpoint, None, {}, reply=True)
    finally:
        event.remove(engine, "commit", cut)
    assert caught.value.commit_cut and runs == [1] and fake_time.pauses == []
