"""Outages answer 503, not 500 and not a hang: a real conductor and API on
their own PostgreSQL database and their own redis-server.

The database is made unreachable by refusing new connections to it and
ending the open ones (ALTER DATABASE ... ALLOW_CONNECTIONS false, then
pg_terminate_backend, as the superuser, on this test's database only); the
broker by stopping its redis-server. During each, requests answer 503 in
Nova's shape with Retry-After within a bound; once it is back, they
answer 200 again without restarting anything."""
import shutil
import tempfile
import time

import psycopg
import pytest

from tests.functional.cloud import PG_ADMIN, Cloud, RedisServer, wait_for

# Well under the RPC timeout: an outage must not wait it out.
RPC_TIMEOUT = 10
BOUND = 8


@pytest.fixture(scope="module")
def cloud():
    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server here; `make test` installs it")
    workdir = tempfile.mkdtemp(prefix="stratus-outage-")
    broker = RedisServer(workdir)
    c = Cloud(workdir, broker_url=broker.url)
    c.env["STRATUS_RPC_RESPONSE_TIMEOUT"] = str(RPC_TIMEOUT)
    c.redis = broker
    try:
        broker.start()
        c.start_services(conductor=2, scheduler=0, api_threads=4)
        c.flavor_id = c.create_flavor("outage.tiny", 1, 64, 1)  # logs the admin in
        yield c
    finally:
        c.stop_all()
        _allow_connections(c, True)
        c.drop_database()
        broker.stop()


def _allow_connections(c, allowed):
    """Let this test's database take connections or not; refusing them
    also ends the conductor's open ones."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{c.dbname}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s AND pid <> pg_backend_pid()", (c.dbname,))


def _unavailable_within_bound(c, method, path, **kwargs):
    started = time.monotonic()
    reply = c.api(method, path, timeout=RPC_TIMEOUT + 5, **kwargs)
    elapsed = time.monotonic() - started
    assert reply.status_code == 503, reply.text
    assert list(reply.json()) == ["serviceUnavailable"]
    assert int(reply.headers["Retry-After"]) > 0
    assert elapsed < BOUND, f"503 after {elapsed:.1f}s"
    return elapsed


def _answers_again(c, timeout=20):
    wait_for(lambda: c.api("GET", "/servers", timeout=RPC_TIMEOUT + 5).status_code == 200,
             timeout, 0.5, "GET /servers to answer 200 again")


def test_a_database_outage_answers_503_and_service_resumes(cloud):
    c = cloud
    assert c.api("GET", "/servers").status_code == 200
    _allow_connections(c, False)
    try:
        elapsed = _unavailable_within_bound(c, "GET", "/servers")
        _unavailable_within_bound(c, "GET", "/servers")  # the pool did not stick
    finally:
        _allow_connections(c, True)
    _answers_again(c)
    print(f"\ndatabase outage: 503 after {elapsed:.2f}s")


def test_a_broker_outage_answers_503_and_service_resumes(cloud):
    c = cloud
    body = {"server": {"name": "outage", "flavorRef": c.flavor_id, "networks": "none",
                       "imageRef": "00000000-0000-0000-0000-000000000000"}}
    c.redis.stop()
    try:
        elapsed = _unavailable_within_bound(c, "POST", "/servers", json=body)
    finally:
        c.redis.start()
    _answers_again(c)
    assert c.sql("SELECT count(*) FROM instances") == [(0,)]
    print(f"\nbroker outage: 503 after {elapsed:.2f}s")
