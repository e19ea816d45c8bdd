"""Celery settings for every role: broker, JSON only, queues and routes.

Compute queues are one per hypervisor (`compute.<host>`); the rpc client
names the queue on each message, and `stratus compute --host H` declares
and consumes it (see COMPUTE_QUEUE below)."""
from kombu import Queue

from stratus.config import get_settings, is_rabbitmq

_settings = get_settings()
# RabbitMQ (amqp://) or Redis (redis://): the settings below that differ
# between the two follow the broker URL's scheme.
AMQP = is_rabbitmq(_settings.broker_url)

ROLE_QUEUES = ("conductor", "scheduler", "cert", "consoleauth")
COMPUTE_QUEUE = "compute.{host}"

broker_url = _settings.broker_url
REPLY_BACKEND = "stratus.common.rpc:ReplyBackend"


def reply_store(url):
    """The result_backend setting for a result store URL: in Redis, calls'
    replies on a list each (Celery's `<backend class>+<url>`); another
    store is Celery's own."""
    if url.split("://", 1)[0] in ("redis", "rediss"):
        return f"{REPLY_BACKEND}+{url}"
    return url


result_backend = reply_store(_settings.result_backend)
task_always_eager = _settings.eager
task_eager_propagates = True
task_store_eager_result = False

task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]
result_accept_content = ["json"]

# Under RabbitMQ every queue is a quorum queue (replicated with Raft,
# kept across a broker restart); the compute queues, named at send time,
# are declared the same way by their senders and their worker, or the
# second declaration would fail on the other's type.
_QUEUE_TYPE = "quorum" if AMQP else "classic"
task_queues = [Queue(name, queue_arguments={"x-queue-type": "quorum"} if AMQP else None)
               for name in ROLE_QUEUES]
task_default_queue_type = _QUEUE_TYPE
task_create_missing_queue_type = _QUEUE_TYPE
# Quorum queues refuse a channel-wide prefetch: the worker then uses a
# per-consumer one (worker_prefetch_multiplier still holds).
worker_detect_quorum_queues = True
task_default_queue = "conductor"
# `<role>.<method>` goes to the role's queue; compute messages carry their
# queue explicitly because the host is only known at send time.
task_routes = {f"{role}.*": {"queue": role} for role in ROLE_QUEUES}

result_expires = 600
task_ignore_result = False
task_track_started = False
# Task events cost about 2 ms a call; workers start without them and
# `stratus flower` turns them on over the control channel (enable_events),
# so Flower still sees every role's tasks.
worker_send_task_events = False
task_send_sent_event = False
worker_hijack_root_logger = False
broker_connection_retry_on_startup = True
# Every task is idempotent (compare-and-swap saves, lookups before
# creates), so a message is acknowledged only once its task has run, and
# one whose worker died under it goes back to the queue: a crash loses no
# work, and a second delivery does no harm.
task_acks_late = True
task_reject_on_worker_lost = True
worker_prefetch_multiplier = 1
# Under Redis an unacknowledged message (its worker died) is handed out
# again only after the visibility timeout below: longer than any task (the
# longest, a clean shutdown, waits shutdown_timeout), so an hour. RabbitMQ
# hands it back as soon as the worker's connection closes.
#
# A broker that cannot be reached fails a send within a few seconds
# (the API answers 503) instead of holding the request: Celery's defaults
# retry the result store's connection 20 times a second apart (a `call`
# waited 19 s), and an unanswered TCP connect waits minutes. Refused: the
# publish gives up after 0.5 s of pauses and the result store after 3.5 s;
# each connection attempt gives up after CONNECT_TIMEOUT. The result
# store's bound is also how long a worker keeps a reply while Redis
# restarts.
CONNECT_TIMEOUT = 2
task_publish_retry_policy = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5,
                             "interval_max": 1}
broker_connection_timeout = CONNECT_TIMEOUT
if AMQP:
    # Publisher confirms: a send returns only once RabbitMQ has the message
    # (written to the quorum queue's majority), and a refused one raises
    # instead of vanishing. A publish unconfirmed after CONFIRM_TIMEOUT (a
    # memory or disk alarm blocks publishers) is a lost connection to
    # py-amqp: retried by the policy above, then MessagingUnavailable.
    CONFIRM_TIMEOUT = 2
    broker_transport_options = {"confirm_publish": True}
    # A worker whose host vanished (no TCP close) is noticed in about 20 s,
    # not after the default 2 minutes, and its messages handed out again.
    broker_heartbeat = 10
else:
    CONFIRM_TIMEOUT = None
    broker_transport_options = {"visibility_timeout": 3600,
                                "socket_connect_timeout": CONNECT_TIMEOUT}
redis_socket_connect_timeout = CONNECT_TIMEOUT
result_backend_transport_options = {
    "visibility_timeout": 3600,
    "retry_policy": {"max_retries": 5, "interval_start": 0, "interval_step": 0.5,
                     "interval_max": 1}}
