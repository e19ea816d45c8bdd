"""The broker of a functional test session: a Redis database of the
machine's redis-server (the default), or, with STRATUS_FT_BROKER=rabbitmq,
a fresh virtual host of the machine's RabbitMQ, deleted at the end.
Either way no two sessions on this machine share a queue."""
import contextlib
import os
import subprocess
import uuid

import redis

BROKER = os.environ.get("STRATUS_FT_BROKER", "redis").strip().lower() or "redis"
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672"

# Redis database numbers the sessions of this machine share out (the
# benchmark uses 15, the fault tests a redis-server of their own).
SESSION_DBS = range(5, 15)
OWNER_KEY = "stratus-ft:owner"


def claim_redis_db():
    """A Redis database no other test session on this machine is using: a
    session marks the one it takes (the mark expires if the session dies
    without cleaning up), so two sessions never flush each other's queues."""
    for number in SESSION_DBS:
        broker = redis.Redis(host="127.0.0.1", port=6379, db=number)
        if broker.set(OWNER_KEY, os.getpid(), nx=True, ex=3 * 3600):
            for key in broker.scan_iter():
                if key != OWNER_KEY.encode():
                    broker.delete(key)
            return number, broker
    raise RuntimeError(f"every Redis database in {SESSION_DBS} is in use by a test session")


def rabbitmqctl(*args):
    return subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, text=True,
                          timeout=60)


@contextlib.contextmanager
def rabbitmq_vhost(prefix="stratus-ft"):
    """A new RabbitMQ virtual host for the guest user; yields its URL."""
    vhost = f"{prefix}-{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", vhost)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield f"{RABBITMQ}/{vhost}"
    finally:
        rabbitmqctl("delete_vhost", vhost)


@contextlib.contextmanager
def session_broker(kind=None):
    """The environment (broker and result store URLs) of one session (or
    module) cloud, emptied or deleted when the block ends. Under RabbitMQ
    the replies of calls still wait in a Redis database (see
    config/settings.py), one of this session's own."""
    kind = kind or BROKER
    if kind not in ("redis", "rabbitmq"):
        raise ValueError(f"STRATUS_FT_BROKER={kind!r}: redis or rabbitmq")
    number, results = claim_redis_db()
    redis_url = f"redis://127.0.0.1:6379/{number}"
    try:
        if kind == "rabbitmq":
            with rabbitmq_vhost() as url:
                yield {"STRATUS_BROKER_URL": url, "STRATUS_RESULT_BACKEND": redis_url}
        else:
            yield {"STRATUS_BROKER_URL": redis_url, "STRATUS_RESULT_BACKEND": redis_url}
    finally:
        results.flushdb()
