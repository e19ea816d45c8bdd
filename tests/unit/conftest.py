"""Unit fixtures: a migrated SQLite database per session, emptied before
each test that asks for `db`, and every role's tasks registered."""
import pytest

from stratus.common.celeryapp import load_roles


@pytest.fixture(scope="session")
def _schema():
    from stratus.conductor.db import migration

    migration.upgrade()


@pytest.fixture
def db(_schema):
    """A clean database (every table emptied)."""
    from stratus.conductor.db import models
    from stratus.conductor.db.session import transaction

    with transaction() as session:
        for table in reversed(models.Base.metadata.sorted_tables):
            session.execute(table.delete())
    yield


@pytest.fixture
def roles():
    """Every role's tasks registered in this process (local mode)."""
    load_roles()


@pytest.fixture
def ctxt():
    from stratus.common.context import RequestContext

    return RequestContext(user_id="u1", project_id="p1", roles=["admin"], is_admin=True)


@pytest.fixture(autouse=True)
def _fresh_caches():
    """The process-wide scheduler keeps host states, and the API the zones
    and its token re-checks, for a moment; each test has its own database and fakes, so each starts
    with empty caches."""
    import sys

    tasks = sys.modules.get("stratus.scheduler.tasks")
    if tasks is not None:
        from stratus.scheduler.manager import HostStateCache

        tasks.manager_for(None).host_states = HostStateCache()
    server_build = sys.modules.get("stratus.api.server_build")
    if server_build is not None:
        server_build._ZONES = server_build._ZoneCache()
    recheck = sys.modules.get("stratus.api.identity.recheck")
    if recheck is not None:
        recheck.CACHE.clear()
    yield


@pytest.fixture
def unreachable_database(tmp_path):
    """The conductor's database URL names a file it cannot open (a
    folder): every new connection fails, as with a server that is down.
    Yields a function that puts the test database back."""
    from stratus import config
    from stratus.conductor.db import session

    environment = pytest.MonkeyPatch()  # its own: undoing it leaves the test's alone

    def restore():
        environment.undo()
        config.reset_settings()
        session.reset_engine()

    environment.setenv("STRATUS_DATABASE_URL", f"sqlite:///{tmp_path}")
    # An outage that outlasts the retry window: answered at once.
    environment.setenv("STRATUS_DB_RETRY_SECONDS", "0")
    config.reset_settings()
    session.reset_engine()
    yield restore
    restore()


class FakeTime:
    """A monotonic clock that only `sleep` moves, recording the pauses."""

    def __init__(self):
        self.now = 1000.0
        self.pauses = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.pauses.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time(monkeypatch):
    """Retry backoff (stratus.common.backoff) on a clock of its own: the
    pauses are recorded, not slept."""
    from stratus.common import backoff

    clock = FakeTime()
    monkeypatch.setattr(backoff, "time", clock)
    return clock
