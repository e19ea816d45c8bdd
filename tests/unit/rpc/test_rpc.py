"""The RPC spine: versions, caps, context and errors across a call."""
import types

import pytest

from stratus.common import exception, rpc
from stratus.common.celeryapp import app
from stratus.common.context import RequestContext
from stratus.common.endpoint import endpoint


class EchoManager:
    @endpoint(since="1.0")
    def echo(self, ctxt, value):
        return {"value": value, "request_id": ctxt.request_id, "task_id": ctxt.task_id,
                "project_id": ctxt.project_id}

    @endpoint(since="1.0")
    def boom(self, ctxt):
        raise exception.FlavorNotFound(flavor_id="42")

    @endpoint(since="1.3")
    def bug(self, ctxt):
        raise RuntimeError("a bug in the receiving role")


rpc.expose("echo", lambda server: EchoManager(), EchoManager)


def test_a_failing_cast_in_local_mode_is_not_the_callers_error(ctxt):
    client = rpc.RPCClient("echo", "1.0")
    client.cast(ctxt, "boom")
    client.prepare(version="1.3").cast(ctxt, "bug")


@pytest.fixture
def ctxt():
    return RequestContext(user_id="u", project_id="p", roles=["member"])


def test_call_carries_context_and_returns_result(ctxt):
    got = rpc.RPCClient("echo", "1.0").call(ctxt, "echo", value=[1, "a"])
    assert got["value"] == [1, "a"]
    assert got["request_id"] == ctxt.request_id and got["project_id"] == "p"
    assert got["task_id"]


def test_remote_exception_keeps_its_type(ctxt):
    with pytest.raises(exception.FlavorNotFound, match="42"):
        rpc.RPCClient("echo", "1.0").call(ctxt, "boom")


def test_server_rejects_unknown_major_and_newer_minor(ctxt):
    with pytest.raises(exception.UnsupportedVersion):
        rpc.RPCClient("echo", "2.0").call(ctxt, "echo", value=1)
    with pytest.raises(exception.UnsupportedVersion):
        rpc.RPCClient("echo", "1.4").call(ctxt, "echo", value=1)
    assert rpc.RPCClient("echo", "1.3").call(ctxt, "echo", value=1)["value"] == 1


def test_client_honours_version_cap(ctxt):
    client = rpc.RPCClient("echo", "1.0", version_cap="1.2")
    assert client.can_send_version("1.2") and not client.can_send_version("1.3")
    with pytest.raises(exception.VersionCapExceeded):
        client.prepare(version="1.3")
    assert client.prepare(version="1.1").call(ctxt, "echo", value=2)["value"] == 2


def test_prepare_targets_the_host_queue():
    client = rpc.RPCClient("compute", "1.0").prepare(server="node7")
    assert client.queue == "compute.node7"
    assert rpc.RPCClient("scheduler", "1.0").queue == "scheduler"


def test_messages_are_json_only():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]


def test_wire_objects_round_trip():
    from stratus.common.objects import Flavor, Instance, from_primitive, to_primitive

    flavor = Flavor(id=1, flavorid="1", name="t", vcpus=1, memory_mb=64, root_gb=1)
    inst = Instance(uuid="u", display_name="n", project_id="p", user_id="u",
                    vm_state="active", flavor=flavor)
    assert from_primitive(to_primitive({"i": [inst]})) == {"i": [inst]}


def test_wire_objects_from_older_and_newer_senders():
    """A complete object is rebuilt without its __init__ (a list's decoding
    is mostly that): it must still be a whole, separate object. One with
    fields missing (an older sender) gets their defaults; unknown fields (a
    newer sender) are left out."""
    from stratus.common.objects import Flavor, Instance, from_primitive, to_primitive

    flavor = Flavor(id=1, flavorid="1", name="t", vcpus=1, memory_mb=64, root_gb=1,
                    extra_specs={"k": "v"})
    inst = Instance(uuid="u", display_name="n", project_id="p", user_id="u",
                    vm_state="active", flavor=flavor, metadata={"a": "b"})
    sent = to_primitive(inst)
    got = from_primitive(sent)
    assert got == inst and type(got) is Instance and type(got.flavor) is Flavor
    got.metadata["a"] = "changed"
    got.flavor.extra_specs["k"] = "changed"
    assert (inst.metadata, inst.flavor.extra_specs) == ({"a": "b"}, {"k": "v"})
    assert got.update({"host": "h"}) is None and got.host == "h"
    older = dict(sent["stratus_object.data"])
    for name in ("network_info", "system_metadata", "host"):
        del older[name]
    older["from_the_future"] = 1
    rebuilt = Instance.from_dict(older)
    assert (rebuilt.network_info, rebuilt.system_metadata, rebuilt.host) == ([], {}, None)
    assert not hasattr(rebuilt, "from_the_future")
    assert rebuilt.network_info is not Instance.from_dict(older).network_info


class Sink:
    got = []

    @endpoint(since="1.0")
    def take(self, ctxt, tag, reply):
        try:
            Sink.got.append((tag, rpc.unwrap(reply)))
        except exception.StratusException as exc:
            Sink.got.append((tag, type(exc).__name__))


rpc.expose("sink", lambda server: Sink(), Sink)


def test_call_then_delivers_the_reply_or_the_error(ctxt):
    Sink.got.clear()
    echo, sink = rpc.RPCClient("echo", "1.0"), rpc.RPCClient("sink", "1.0")
    echo.call_then(ctxt, "echo", sink, "take", {"tag": "ok"}, value=5)
    echo.call_then(ctxt, "boom", sink, "take", {"tag": "bad"})
    assert Sink.got[0][0] == "ok" and Sink.got[0][1]["value"] == 5
    assert Sink.got[1] == ("bad", "FlavorNotFound")


def test_call_then_sends_its_continuation_with_the_options_of_every_send(ctxt, monkeypatch):
    sent = []
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(rpc.RPCClient, "_publish", lambda self, sig, method: sent.append(sig))
    echo, sink = rpc.RPCClient("echo", "1.0"), rpc.RPCClient("sink", "1.0")
    echo.call_then(ctxt, "echo", sink, "take", {"tag": "ok"}, value=5)
    (link,) = sent[0].options["link"]
    assert link["task"] == "sink.take"
    assert {k: link["options"][k] for k in rpc._PUBLISH_OPTIONS} == rpc._PUBLISH_OPTIONS


def test_times_are_naive_utc_on_both_sides_of_the_wire():
    import datetime

    from stratus.common.timeutils import parse_isotime, utcnow

    assert parse_isotime("2026-01-02T03:04:05Z") == datetime.datetime(2026, 1, 2, 3, 4, 5)
    assert parse_isotime("2026-01-02T05:04:05+02:00") == datetime.datetime(2026, 1, 2, 3, 4, 5)
    assert parse_isotime("") is None and parse_isotime(None) is None
    now = utcnow()
    assert now.tzinfo is None and parse_isotime(now.isoformat()) == now


def test_kombu_channels_reuse_one_redis_client_per_pool(monkeypatch):
    from stratus.common import redis_clients

    made = []
    monkeypatch.setattr(redis_clients, "_original",
                        lambda channel, asynchronous=False: made.append(channel.pool) or object())

    channel = _Channel()
    first = redis_clients._create_client(channel)
    assert redis_clients._create_client(channel) is first and made == ["pool-1"]
    channel.pool = "pool-2"  # kombu replaced the pool after a reconnect
    assert redis_clients._create_client(channel) is not first and made == ["pool-1", "pool-2"]
    redis_clients._create_client(channel, asynchronous=True)
    assert len(made) == 3  # the event loop's own client is never shared


class _Channel:
    """What _create_client reads of a kombu Redis channel."""

    pool = "pool-1"

    def __init__(self):
        self.connection = types.SimpleNamespace(client="a kombu Connection")


def test_a_channel_closed_after_its_transport_reuses_its_last_client(monkeypatch):
    import redis

    from stratus.common import redis_clients

    monkeypatch.setattr(redis_clients, "_original", lambda channel, asynchronous=False: object())
    channel = _Channel()
    last = redis_clients._create_client(channel)
    channel.connection.client = None  # Celery's consumer dropped the transport first
    assert redis_clients._create_client(channel) is last
    with pytest.raises(redis.exceptions.ConnectionError):
        redis_clients._create_client(_closed_channel())
    channel.connection = None  # closed: a task's late ack still finds the client
    assert redis_clients._create_client(channel) is last


def _closed_channel():
    channel = _Channel()
    channel.connection.client = None
    return channel


def test_messages_carry_a_short_description_for_flower(ctxt):
    sig = rpc.RPCClient("compute", "1.0").prepare(server="h1")._signature(
        ctxt, "terminate_instance", {"instance_uuid": "u-1"}, reply=False)
    assert sig.options["kwargsrepr"] == f"{ctxt.request_id} server=h1 instance=u-1"
    assert sig.options["queue"] == "compute.h1"


def test_local_mode_refuses_a_method_no_loaded_role_serves(ctxt):
    # Sent anyway, it would wait for a broker nobody serves until the timeout.
    with pytest.raises(exception.RoleNotLoaded, match="conductor.no_such_method"):
        rpc.RPCClient("conductor", "1.0").call(ctxt, "no_such_method")


def test_local_mode_runs_a_message_inline_as_a_worker_would(ctxt, monkeypatch):
    # No broker, no Celery tracer: the task runs in this thread with its
    # arguments through the wire's JSON and a request id of its own.
    monkeypatch.setattr(app.producer_pool, "acquire", None)  # never taken
    client = rpc.RPCClient("echo", "1.3")
    first, second = (client.call(ctxt, "echo", value={"a": (1, n)}) for n in (1, 2))
    assert (first["value"], second["value"]) == ({"a": [1, 1]}, {"a": [1, 2]})
    assert first["task_id"] and first["task_id"] != second["task_id"]
    assert app.tasks["echo.echo"].request.id is None  # its request popped
    for _ in range(2):  # raised to the sender, and the request popped all the same
        with pytest.raises(RuntimeError, match="a bug in the receiving role"):
            client.call(ctxt, "bug")
        assert app.tasks["echo.bug"].request.id is None


def test_local_mode_refuses_what_json_cannot_carry(ctxt):
    with pytest.raises(TypeError):
        rpc.RPCClient("echo", "1.0").call(ctxt, "echo", value=object())


def test_a_context_travels_as_dataclasses_would_carry_it():
    import dataclasses

    ctxt = RequestContext(user_id="u", project_id="p", roles=["member", "reader"],
                          is_admin=True, task_id="t", token_check="tok",
                          check_token=lambda token: None)
    carried = ctxt.to_dict()
    # The sender's own check (a function) and the redelivered flag (the
    # receiver's) never travel, nor are they taken from a message.
    expected = {k: v for k, v in dataclasses.asdict(ctxt).items()
                if k not in ("check_token", "redelivered")}
    assert carried == expected and list(carried) == list(expected)
    assert carried["roles"] is not ctxt.roles  # a copy, as asdict's
    received = RequestContext.from_dict(dict(carried, newer_field=1, check_token="x",
                                             redelivered=True))
    assert received == ctxt and received.check_token is None and not received.redelivered
    # An unchecked token is carried only while there is one.
    assert "token_check" not in RequestContext(user_id="u", project_id="p").to_dict()
