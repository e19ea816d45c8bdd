"""One redis-py client per kombu channel and connection pool.

kombu's Redis transport builds a new `redis.Redis` for every publish and
every ack; each construction fills a table of ~170 response callbacks, which
was about a tenth of a worker's CPU and half a millisecond of every `call`.
A client over a connection pool is thread-safe, so one per pool serves."""
from kombu.transport import redis as kombu_redis

_original = kombu_redis.Channel._create_client


def _create_client(self, asynchronous=False):
    if asynchronous:
        return _original(self, asynchronous=True)
    pool = self.pool
    cached = self.__dict__.get("_stratus_client")
    if cached is None or cached[0] is not pool:
        cached = self.__dict__["_stratus_client"] = (pool, _original(self))
    return cached[1]


def install():
    """Patch kombu's Redis channel (idempotent)."""
    kombu_redis.Channel._create_client = _create_client
