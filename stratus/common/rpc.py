"""The RPC spine: `call`, `cast` and `prepare(server=, version=)` over
Celery, the way Nova's roles talk over oslo.messaging.

A message is one JSON object, the task's single keyword argument
`envelope`: {"version", "context", "server", "args", "reply"}. A server
(the task side) checks the version, rebuilds the context and calls the
manager method of the same name. A `call` gets back {"result"} or
{"error": {"type", "message"}}; a `cast` raises on the worker so that a
failure shows in Flower.

Versions as in Nova: each stub method sends the version of its endpoint
(`prepare(version=...)`), never above the client's cap (the upgrade
level); a server refuses another major, a newer minor than it serves,
and a version older than the method it names."""
import contextlib
import logging
import threading
import time

import amqp
import redis
from celery import states
from celery.backends.redis import RedisBackend
from celery.exceptions import Ignore, TimeoutError as CeleryTimeout
from celery.result import EagerResult
from kombu.exceptions import OperationalError as BrokerError
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import dumps as json_dumps, loads as json_loads
from kombu.utils.uuid import uuid

from stratus.config import get_settings
from stratus.config.celeryconfig import AMQP, CONFIRM_TIMEOUT
from stratus.common import endpoint, exception
from stratus.common.celeryapp import app
from stratus.common.context import RequestContext
from stratus.common.objects import from_primitive, to_primitive

LOG = logging.getLogger(__name__)

# What Celery raises when the broker or the result store cannot be
# reached: kombu wraps a failed publish in its OperationalError; the result
# store raises redis-py's errors, or, once it gives up reconnecting, a
# RuntimeError caused by one of them; a RabbitMQ connection lost under a
# send raises py-amqp's connection errors or the socket's.
UNREACHABLE = (BrokerError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
               amqp.exceptions.ConnectionError,
               ConnectionError)
# Under RabbitMQ a send waits for the broker's confirm this long at most,
# and declares its queue (a compute host's may not exist yet: RabbitMQ
# would drop a message with no queue to go to). Under Redis a message is
# pushed on the list its queue names, so there is nothing to declare, and
# Celery's declaration of the queue with every message (a copy of the
# Queue bound to the channel, then kombu's cache of what was declared)
# took about a sixth of a send.
_PUBLISH_OPTIONS = {"confirm_timeout": CONFIRM_TIMEOUT} if AMQP else {"declare": []}


def _run_inline(signature, previous=()):
    """Local mode: run the message's task in this thread, as Celery's
    eager apply_async would, and return its EagerResult.

    What Stratus relies on is kept: the arguments go through the wire's
    JSON (kombu's, as a message's do); the task sees a request with its
    own id; a link (call_then) runs with the return value, once the task
    has returned; what the task raises is raised to the sender
    (task_eager_propagates). Celery's tracer is left out: its request
    stack, states, signals, result repr and callbacks' signatures cost
    an eighth of a local boot (3 of 25 million instructions under
    callgrind, about 1 ms of the p50), for nothing the roles read. Nova's
    local conductor (`[conductor] use_local`) calls the manager in
    process in the same way."""
    args, kwargs = json_loads(json_dumps([previous, signature.kwargs]))
    task, task_id = app.tasks[signature.task], uuid()
    task.push_request(id=task_id, is_eager=True, delivery_info={"is_eager": True})
    try:
        retval = task.run(*args, **kwargs)
    except Ignore:
        # A deferred reply (reply_later): its continuation ran inline
        # already and left the reply here; as on a worker, no link runs.
        if task_id not in _INLINE_REPLIES:
            raise RuntimeError(f"{signature.task} deferred its reply and none was sent")
        return EagerResult(task_id, _INLINE_REPLIES.pop(task_id), states.SUCCESS,
                           name=task.name)
    finally:
        task.pop_request()
    for link in signature.options.get("link") or ():
        _run_inline(link, (retval,))
    return EagerResult(task_id, retval, states.SUCCESS, name=task.name)


def _unreachable(exc):
    """Whether `exc`, raised by Celery while sending or waiting, means the
    broker or the result store could not be reached (not a bug)."""
    if app.conf.task_always_eager:
        return False  # the task ran inline: what it raised is its own
    if isinstance(exc, RuntimeError):
        exc = exc.__cause__
    return isinstance(exc, UNREACHABLE)


def _parse(version):
    major, _, minor = str(version).partition(".")
    return int(major), int(minor or 0)


def version_is_compatible(supported, requested):
    """Same major, and the server's minor is at least the message's."""
    s_major, s_minor = _parse(supported)
    r_major, r_minor = _parse(requested)
    return s_major == r_major and s_minor >= r_minor


class RPCClient:
    """A client for one role. `prepare()` binds it to a server or version."""

    def __init__(self, role, version, version_cap=None, server=None, timeout=None,
                 checks_token=None):
        self.role = role
        self.version = version
        self.version_cap = version_cap or None
        self.server = server
        self.timeout = timeout
        # The version from which this role's servers check a token a call
        # carries (RequestContext.token_check), if they do.
        self.checks_token = checks_token

    def prepare(self, server=None, version=None, timeout=None):
        """A copy of this client bound to a host queue and/or a version:
        the version the message's arguments need (its endpoint's `since`).
        Raises VersionCapExceeded, sending nothing, above the cap."""
        client = RPCClient(self.role, version or self.version, self.version_cap,
                           server or self.server, timeout or self.timeout, self.checks_token)
        client._check_cap()
        return client

    def _token_carrier(self, ctxt, reply):
        """The client to send with while the request's token is unchecked
        (RequestContext.token_check): for a call to servers that check it,
        this client at the version that makes them; otherwise this one,
        once the sender has checked the token itself (a message to a
        server that would not check it must not go out first)."""
        if not ctxt.token_check:
            return self
        if reply and self.checks_token and self.can_send_version(self.checks_token):
            return self.prepare(version=endpoint.newest([self.version, self.checks_token]))
        ctxt.settle_token()
        return self

    def _check_cap(self):
        # Also checked when sending: a stub that never called prepare()
        # sends the client's own version, which the cap holds too.
        if not self.can_send_version(self.version):
            raise exception.VersionCapExceeded(role=self.role, version=self.version,
                                               cap=self.version_cap)

    def can_send_version(self, version):
        """Whether the cap allows this version (for rolling upgrades)."""
        return not self.version_cap or version_is_compatible(self.version_cap, version)

    def prepare_with(self, version, server=None, **newer):
        """`prepare(server, version)` for a method whose later versions
        added arguments: `newer` maps each of them to (the version that
        brought it, its value). Returns the client and the arguments to
        add to the message.

        An argument left at None or False is not sent: the older message
        meant the same. One with a value raises the message to the version
        that brought it when the cap allows it; above the cap it is left
        out and the older version sent, for the older server never knew it
        (Nova's stubs do this with can_send_version)."""
        extra = {}
        for name, (since, value) in newer.items():
            if value is None or value is False:
                continue
            if self.can_send_version(since):
                extra[name] = value
                version = endpoint.newest([version, since])
            else:
                LOG.debug("%s: argument %s (version %s) left out: capped at %s",
                          self.role, name, since, self.version_cap)
        return self.prepare(server=server, version=version), extra

    @property
    def queue(self):
        return f"{self.role}.{self.server}" if self.server else self.role

    def _signature(self, ctxt, method, kwargs, reply, store=None):
        envelope = {"version": self.version, "context": ctxt.to_dict(), "server": self.server,
                    "args": to_primitive(kwargs), "reply": reply}
        store = reply if store is None else store
        name = f"{self.role}.{method}"
        # A short repr for Flower and the logs: Celery's own saferepr of the
        # whole envelope costs about a millisecond a message.
        return app.signature(name, kwargs={"envelope": envelope},
                             queue=self.queue, ignore_result=not store, argsrepr="()",
                             kwargsrepr=_describe(ctxt, self.server, kwargs))

    def _check_served(self, method):
        name = f"{self.role}.{method}"
        if app.conf.task_always_eager and name not in app.tasks:
            # Local mode runs only registered tasks inline; any other name
            # would go to a broker that nobody serves and wait out the timeout.
            raise exception.RoleNotLoaded(method=name)

    def _send(self, ctxt, method, kwargs, reply):
        self._check_served(method)
        return self._publish(self._signature(ctxt, method, kwargs, reply), method)

    def _publish(self, signature, method):
        """Hand the message to the broker (in local mode, run it here:
        _run_inline). MessagingUnavailable (nothing sent) when the broker
        cannot be reached within the publish retry policy."""
        if app.conf.task_always_eager:
            return _run_inline(signature)
        try:
            return signature.apply_async(queue=self.queue, **_PUBLISH_OPTIONS)
        except Exception as exc:
            if not _unreachable(exc):
                raise
            reason = _first_line(exc.__cause__ or exc)
            LOG.warning("%s.%s not sent: the broker cannot be reached: %s",
                        self.role, method, reason)
            raise exception.MessagingUnavailable(method=f"{self.role}.{method}",
                                                 reason=reason) from exc

    def call_then(self, ctxt, method, then, then_method, then_kwargs, **kwargs):
        """Ask `method` and deliver its reply to `then_method` of the client
        `then` as its `reply` argument (see unwrap), without a thread
        waiting in between: a Celery chain.

        A role that is called back by the role it calls (conductor ->
        scheduler -> conductor) must not block on that call, or a busy pool
        waits on itself."""
        self._check_cap()
        then._check_cap()
        self._token_carrier(ctxt, reply=False)
        self._check_served(method)
        then._check_served(then_method)
        first = self._signature(ctxt, method, kwargs, reply=True, store=False)
        second = then._signature(ctxt, then_method, then_kwargs, reply=False)
        if not app.conf.task_always_eager:
            # The worker that runs `first` sends `second`: with the options
            # of every other send (they travel in the message, as JSON).
            second.set(**_PUBLISH_OPTIONS)
        first.link(second)
        self._publish(first, method)

    def ask(self, ctxt, method, reply_to=None, **kwargs):
        """`call`; with `reply_to` (a continuation: client, method and its
        arguments) chain the reply there instead (call_then) and return
        None at once."""
        if reply_to is not None:
            self.call_then(ctxt, method, *reply_to, **kwargs)
            return None
        return self.call(ctxt, method, **kwargs)

    def cast(self, ctxt, method, **kwargs):
        """Send and forget."""
        self._check_cap()  # the caller's error, in local mode too
        self._token_carrier(ctxt, reply=False)
        try:
            self._send(ctxt, method, kwargs, reply=False)
        except Exception:
            if not app.conf.task_always_eager:
                raise
            # In local mode the cast ran inline; a failure there belongs to
            # the receiving role, as it would on a worker, not to the caller.
            LOG.exception("cast %s.%s failed", self.role, method)

    def call(self, ctxt, method, **kwargs):
        """Send and wait for the reply (rpc_response_timeout by default)."""
        self._check_cap()
        _check_may_wait(self.role, method)
        timeout = self.timeout or get_settings().rpc_response_timeout
        client = self._token_carrier(ctxt, reply=True)
        result = client._send(ctxt, method, kwargs, reply=True)
        try:
            reply = _wait(result, timeout)
        except CeleryTimeout:
            raise exception.MessagingTimeout(timeout=timeout, method=f"{self.role}.{method}")
        except Exception as exc:
            if not _unreachable(exc):
                raise
            # Sent, so it may have run: the outcome is as unknown as after
            # a timeout, and the caller is told so rather than "retry".
            LOG.warning("%s.%s: the reply was lost with the result store: %s",
                        self.role, method, _first_line(exc.__cause__ or exc))
            raise exception.MessagingTimeout(timeout=timeout,
                                             method=f"{self.role}.{method}") from exc
        if client is not self and "error" not in reply:
            ctxt.token_check = None  # the server found it unrevoked
        return unwrap(reply)


def _describe(ctxt, server, kwargs):
    uuid = kwargs.get("instance_uuid") or getattr(kwargs.get("instance"), "uuid", None)
    parts = [ctxt.request_id] + [f"server={server}"] * bool(server) + [f"instance={uuid}"] * bool(uuid)
    return " ".join(parts)


def _first_line(error):
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def unwrap(reply):
    """The value of a call's reply, or its exception raised."""
    if "error" in reply:
        raise exception.StratusException.from_primitive(reply["error"])
    return from_primitive(reply["result"])


# The API version each role serves: the newest `since` of its endpoints.
SUPPORTED = {}


def _direct(function, ctxt, kwargs, reply):
    return function(ctxt, **kwargs)


# A role whose servers never wait on a call (expose's `waits`): a thread
# of its pool that waited on another role, which calls back into it (the
# scheduler claiming, a compute host saving), would hold a thread those
# calls need; a pool full of such waits serves nothing until they time
# out. Its endpoints go on in continuations (call_then) instead, and one
# whose caller waits for a reply hands the reply on (reply_later).
class _Serving(threading.local):
    """What the current thread serves: (role, reply id, may wait), or None."""
    frame = None


_serving = _Serving()
# Local mode: replies sent on (send_reply) to a call running inline in
# this process, by reply id, until _run_inline takes them.
_INLINE_REPLIES = {}
# An endpoint's return value that says its reply is sent later (send_reply).
DEFERRED = object()


def _check_may_wait(role, method):
    frame = _serving.frame
    if frame is not None and not frame[2]:
        raise RuntimeError(
            f"a {frame[0]} endpoint may not wait on {role}.{method}: send it with "
            f"call_then (and reply_later for its own caller)")


@contextlib.contextmanager
def waiting_allowed():
    """Let this thread wait on calls, where a role that never waits must
    (a rolling upgrade's older peers cannot serve the continuation)."""
    frame = _serving.frame
    _serving.frame = frame and (frame[0], frame[1], True)
    try:
        yield
    finally:
        _serving.frame = frame


def reply_later():
    """From an endpoint: the id to send its caller's reply to later
    (send_reply), once a continuation has the answer; None when nobody
    waits (a cast). The endpoint then returns DEFERRED."""
    frame = _serving.frame
    if frame is None:
        raise RuntimeError("reply_later() outside an endpoint")
    return frame[1]


def send_reply(reply_id, result=None, error=None):
    """Send the reply of a call whose endpoint returned DEFERRED: `result`,
    or `error` (a StratusException) raised to the caller. Nothing when
    `reply_id` is None (nobody waits)."""
    if reply_id is None:
        return
    reply = ({"error": error.to_primitive()} if error is not None
             else {"result": to_primitive(result)})
    if app.conf.task_always_eager:
        _INLINE_REPLIES[reply_id] = reply
        return
    app.backend.store_result(reply_id, reply, states.SUCCESS)


def dispatch(role, manager_for, method, envelope, task_id=None, previous=(), around=_direct,
             redelivered=False, waits=True):
    """The server side of a message: check, unpack, run, pack the reply.
    `previous` holds the reply of the call this message continues;
    `around(function, ctxt, kwargs, reply)` runs the endpoint (a role's
    retry policy, say; `reply`: whether a caller waits for it);
    `redelivered`: the broker handed this message out before; `waits`:
    whether the endpoint may wait on calls. Returns DEFERRED, for a
    caller that waits, when the endpoint sends its reply later."""
    reply = envelope.get("reply", False)
    version = envelope.get("version", "0.0")
    outer, _serving.frame = _serving.frame, (role, task_id if reply else None, waits)
    try:
        manager = manager_for(envelope.get("server"))
        if not version_is_compatible(SUPPORTED[role], version):
            raise exception.UnsupportedVersion(role=role, version=version,
                                               supported=SUPPORTED[role])
        function = endpoint.bound(manager)[method]
        _check_since(role, method, function.rpc_since, version)
        ctxt = RequestContext.from_dict(envelope.get("context") or {})
        ctxt.task_id = task_id
        ctxt.redelivered = redelivered
        kwargs = from_primitive(envelope.get("args") or {})
        if previous:
            kwargs["reply"] = previous[0]
        result = around(function, ctxt, kwargs, reply)
    except exception.StratusException as exc:
        if not reply:
            raise
        return {"error": exc.to_primitive()}
    finally:
        _serving.frame = outer
    if result is DEFERRED:
        return DEFERRED if reply else {"result": None}
    return {"result": to_primitive(result)}


def _check_since(role, method, since, version):
    """Refuse a message older than its method: the sender's stub did not
    prepare(version=since), so its arguments may not be the ones the
    method takes (a bug in the stub, not an upgrade to wait for)."""
    if not version_is_compatible(version, since):
        raise exception.UnsupportedVersion(
            f"{role}.{method} is served from RPC version {since}; a {version} message "
            f"does not carry its arguments (the sender's stub must send {since}).")


def expose(role, manager_for, manager_cls, around=_direct, since="1.0", waits=True):
    """Register one Celery task `<role>.<method>` per endpoint that
    `manager_cls` declares (@endpoint), and raise the role's served
    version to the newest of them (their `since`, or `updated`).

    `manager_for(server)` returns the manager that serves a message sent to
    `server` (compute processes may serve several hosts); `around` runs
    each endpoint (see dispatch), and `since` is the version that brought
    what it adds to every message (served too). `waits=False`: the
    endpoints may not wait on a call (see _Serving)."""
    declared = endpoint.declared(manager_cls)
    changed = [version for name, version in endpoint.updated(manager_cls).items()
               if name in declared]
    SUPPORTED[role] = endpoint.newest([*declared.values(), *changed, since,
                                       SUPPORTED.get(role, "1.0")])
    tasks = {}
    for method in declared:
        def run(self, *previous, envelope, _method=method):
            delivery = self.request.delivery_info or {}
            result = dispatch(role, manager_for, _method, envelope, self.request.id, previous,
                              around, bool(delivery.get("redelivered")), waits)
            if result is DEFERRED:
                raise Ignore()  # acknowledged, nothing stored: send_reply stores it
            return result

        # Celery reprs every result for its log line; a short one is enough
        # there and saves a walk over each reply.
        tasks[method] = app.task(name=f"{role}.{method}", bind=True,
                                 resultrepr_maxsize=120)(run)
    return tasks


# Where a call waits for its reply. Celery's Redis result store publishes
# each result on a channel: the caller subscribes as it sends, reads the
# result key once (the reply may come first), drains a pubsub connection
# shared with the process's other waiting threads, and unsubscribes. That
# cost the caller 1.0 to 1.5 ms of CPU a call; a reply pushed on a list of
# its own that the caller pops with BLPOP, 0.6 to 0.9 ms
# (bench/message_cost.py). The reply also waits in its list while the
# caller reconnects to Redis, where a message published in that moment
# was gone.

# The longest single BLPOP: under redis-py's socket timeout (Celery's
# redis_socket_timeout, 120 s by default), which would cut a longer one.
LONGEST_WAIT = 30.0


class ReplyBackend(RedisBackend):
    """Celery's Redis result store with each result pushed on a list (the
    same key and expiry) that its caller pops: config/celeryconfig.py
    names it for a redis:// or rediss:// result store."""

    def on_task_call(self, producer, task_id):
        """Nothing to subscribe to: the caller pops the list."""

    def _store_result(self, task_id, result, state, traceback=None, request=None,
                      **kwargs):
        # Celery reads the stored result first and keeps a success rather
        # than overwrite it with a redelivered task's. A push never
        # overwrites: a second reply waits behind the first, which is the
        # one its caller pops, and expires with the list. Once the caller
        # took it there is nothing left to read anyway. One round trip to
        # Redis less a reply.
        meta = self._get_result_meta(result=result, state=state, traceback=traceback,
                                     request=request)
        meta["task_id"] = bytes_to_str(task_id)
        self._set_with_state(self.get_key_for_task(task_id), self.encode(meta), state)
        return result

    def _set(self, key, value, expires=None):
        # Celery's expiry rules: none given is result_expires; 0 or None
        # from there keeps the result.
        expires = self.expires if expires is None else expires
        with self.client.pipeline() as pipe:
            pipe.rpush(key, value)
            if expires:
                pipe.expire(key, expires)
            pipe.execute()

    def get(self, key):
        """The result without taking it (as Celery's AsyncResult.state and
        Flower read one); None once its caller took it."""
        return self.client.lindex(key, 0)

    def wait_reply(self, task_id, timeout):
        """The task's result, taken from its list once there: its return
        value, or the exception it failed with raised; Celery's
        TimeoutError after `timeout` seconds."""
        key = self.get_key_for_task(task_id)
        socket_timeout = self.connparams.get("socket_timeout")
        longest = min(LONGEST_WAIT, socket_timeout / 2) if socket_timeout else LONGEST_WAIT
        deadline = time.monotonic() + timeout
        popped = None
        while popped is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CeleryTimeout(f"The operation timed out ({timeout} s).")
            popped = self.ensure(self.client.blpop, ([key], min(left, longest)))
        meta = self.decode_result(popped[1])
        if meta["status"] in states.PROPAGATE_STATES:
            raise self.exception_to_python(meta["result"])
        return meta["result"]


def _wait(result, timeout):
    """A sent call's reply: popped from its list under ReplyBackend;
    Celery's own wait for another result store, or for a task that ran
    inline (local mode: nothing was stored)."""
    wait_reply = getattr(getattr(result, "backend", None), "wait_reply", None)
    if wait_reply is not None and not isinstance(result, EagerResult):
        return wait_reply(result.id, timeout)
    return result.get(timeout=timeout, disable_sync_subtasks=False)
