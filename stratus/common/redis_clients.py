"""Two fixes to kombu's Redis channel, installed by stratus.common.celeryapp.

1. One redis-py client per channel and connection pool. kombu builds a new
   `redis.Redis` for every publish and every ack; each construction fills a
   table of ~170 response callbacks, which was about a tenth of a worker's
   CPU and half a millisecond of every `call`. A client over a connection
   pool is thread-safe, so one per pool serves.

2. A channel closed after its transport. When the broker goes away, Celery
   5.7's consumer first drops the transport (`collect()`), then closes the
   connection, which closes the channels; with acks_late a channel holds
   unacknowledged messages and wants a client to put them back, and
   building one from a dropped transport raised AttributeError, which ended
   the worker; so did a task finishing later and acknowledging its message
   on the closed channel. The channel's last client is used instead (it
   reaches the same server once it is back); without one, a
   ConnectionError lets the close or the ack fail softly, and the broker
   hands the message out again after the visibility timeout."""
import redis
from kombu.transport import redis as kombu_redis

_original = kombu_redis.Channel._create_client


def _create_client(self, asynchronous=False):
    if asynchronous:
        return _original(self, asynchronous=True)
    cached = self.__dict__.get("_stratus_client")
    # A closed channel has no transport left; a closing one, no client.
    if self.connection is None or self.connection.client is None:
        if cached is not None:
            return cached[1]
        raise redis.exceptions.ConnectionError("the broker connection is closed")
    pool = self.pool
    if cached is None or cached[0] is not pool:
        cached = self.__dict__["_stratus_client"] = (pool, _original(self))
    return cached[1]


def install():
    """Patch kombu's Redis channel (idempotent)."""
    kombu_redis.Channel._create_client = _create_client
