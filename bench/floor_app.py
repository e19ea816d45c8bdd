"""The floor's Celery app: a boot's messages and commits, no Stratus code.

One boot is 5 messages and 3 PostgreSQL commits, in the shape of Stratus's
API -> conductor -> scheduler -> conductor -> compute path:

1. client -> conductor `build` (a call: the row is inserted, commit 1,
   before the client's submit returns, as the API's create_instance call);
2. conductor -> scheduler `select` and 3. its reply -> conductor
   `scheduled`, chained like `rpc.call_then` (no worker waits on it);
   `scheduled` records the claim (commit 2);
4. conductor -> compute `spawn` (a cast);
5. compute -> conductor `finish` (a call the compute worker waits on):
   the final state, stamped with the time just before it commits (commit 3).

Settings come from the environment: FLOOR_BROKER_URL (Redis, also the
result backend) and FLOOR_DATABASE_URL (a psycopg conninfo). This module
imports nothing from stratus: it is what Stratus is measured against."""
import itertools
import os
import time

import psycopg
from celery import Celery

BROKER = os.environ.get("FLOOR_BROKER_URL", "redis://127.0.0.1:6379/15")
CONDUCTOR, WORKER = "floor.conductor", "floor.worker"
HOSTS = itertools.cycle([f"floor-{i}" for i in range(4)])

app = Celery("floor", broker=BROKER, backend=BROKER)
app.conf.update(
    task_serializer="json", result_serializer="json", accept_content=["json"],
    task_ignore_result=True, broker_connection_retry_on_startup=True,
    task_routes={"floor.build": CONDUCTOR, "floor.scheduled": CONDUCTOR,
                 "floor.finish": CONDUCTOR, "floor.select": WORKER,
                 "floor.spawn": WORKER, "floor.ping": WORKER},
)
_conn = None

SCHEMA = """CREATE TABLE IF NOT EXISTS instances (
    id text PRIMARY KEY, state text NOT NULL, host text,
    created double precision NOT NULL, done double precision)"""


def commit(sql, *params):
    """Run one statement in its own transaction on this process's
    connection (opened at first use: only the conductor ever opens one)."""
    global _conn
    if _conn is None:
        _conn = psycopg.connect(os.environ["FLOOR_DATABASE_URL"])
    with _conn.transaction():
        _conn.execute(sql, params)


@app.task(name="floor.ping", ignore_result=False)
def ping(queue):
    """Readiness: answers once a worker consumes `queue`."""
    return queue


@app.task(name="floor.build", ignore_result=False)
def build(iid):
    """Insert the instance (commit 1), then ask the scheduler; the reply
    comes back as `scheduled`."""
    commit("INSERT INTO instances (id, state, created) VALUES (%s, 'building', %s)",
           iid, time.time())
    (select.s(iid) | scheduled.s(iid)).apply_async()
    return iid


@app.task(name="floor.select")
def select(iid):
    """The scheduler's choice: a host, round robin."""
    return next(HOSTS)


@app.task(name="floor.scheduled")
def scheduled(host, iid):
    """Record the claim (commit 2) and cast the build to compute."""
    commit("UPDATE instances SET state = 'claimed', host = %s WHERE id = %s", host, iid)
    spawn.apply_async((iid,))


@app.task(name="floor.spawn")
def spawn(iid):
    """Compute: ask the conductor for the final save and wait for it."""
    finish.apply_async((iid,)).get(timeout=60, disable_sync_subtasks=False)


@app.task(name="floor.finish", ignore_result=False)
def finish(iid):
    """The final state, stamped just before it commits (commit 3)."""
    commit("UPDATE instances SET state = 'active', done = %s WHERE id = %s",
           time.time(), iid)
    return iid
