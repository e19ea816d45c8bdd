"""What every stub sends: for each rpcapi method, the version (its
endpoint's `since`, read from the manager's declarations) and the queue;
under a cap one minor below the role's newest version, the methods above
it raise VersionCapExceeded and send nothing, the rest are sent with
their own version. Messages are caught where the envelope is built
(RPCClient._signature): no broker, nothing run."""
import dataclasses
import inspect

import flask
import pytest

from stratus.common import endpoint, exception, rpc
from stratus.common.endpoint import endpoint as declare
from stratus.config.settings import reset_settings

HOST = "h1"
# Stub members that build no message of their own.
NOT_MESSAGES = ("can_send_version", "continuation")


def _roles():
    from stratus.cert.manager import CertManager
    from stratus.cert.rpcapi import CertAPI
    from stratus.compute.manager import ComputeManager
    from stratus.compute.rpcapi import ComputeAPI
    from stratus.conductor.manager import ComputeTaskManager, ConductorManager
    from stratus.conductor.rpcapi import ComputeTaskAPI, ConductorAPI
    from stratus.consoleauth.manager import ConsoleAuthManager
    from stratus.consoleauth.rpcapi import ConsoleAuthAPI
    from stratus.scheduler.manager import SchedulerManager
    from stratus.scheduler.rpcapi import SchedulerAPI

    return {"compute": [(ComputeAPI, ComputeManager)],
            "conductor": [(ConductorAPI, ConductorManager), (ComputeTaskAPI, ComputeTaskManager)],
            "scheduler": [(SchedulerAPI, SchedulerManager)],
            "cert": [(CertAPI, CertManager)],
            "consoleauth": [(ConsoleAuthAPI, ConsoleAuthManager)]}


@dataclasses.dataclass
class Sent:
    role: str
    queue: str
    version: str
    method: str
    kwargs: dict


class _Signature:
    """What a stub does with a Celery signature: send it (or link it), or,
    in local mode, run it inline (rpc._run_inline, faked to return it)."""

    def apply_async(self, queue=None, **options):
        return self

    def link(self, other):
        pass

    def get(self, timeout=None, disable_sync_subtasks=True):
        return {"result": None}


@pytest.fixture
def sent(monkeypatch, roles):
    """The messages the stubs build, in order."""
    messages = []

    def signature(client, ctxt, method, kwargs, reply, store=None):
        messages.append(Sent(client.role, client.queue, client.version, method, dict(kwargs)))
        return _Signature()

    monkeypatch.setattr(rpc.RPCClient, "_signature", signature)
    monkeypatch.setattr(rpc, "_run_inline", lambda sig, previous=(): sig)
    return messages


@pytest.fixture
def cap(monkeypatch):
    """cap(role, "1.x"): the upgrade level of a role, for stubs made after."""
    def set_cap(role, version):
        monkeypatch.setenv(f"STRATUS_{role.upper()}_RPC_VERSION_CAP", version)
        reset_settings()

    yield set_cap
    monkeypatch.undo()
    reset_settings()


def _messages(stub_cls):
    return sorted(name for name, _ in inspect.getmembers(stub_cls, inspect.isfunction)
                  if not name.startswith("_") and name not in NOT_MESSAGES)


def _arguments(stub, name):
    """Placeholder values for a stub method's required arguments."""
    from stratus.conductor.rpcapi import ComputeTaskAPI

    kwargs = {}
    for param in list(inspect.signature(getattr(stub, name)).parameters.values())[1:]:
        if param.default is not inspect.Parameter.empty:
            continue
        if param.name == "host":
            kwargs["host"] = HOST
        elif param.name == "values":
            kwargs["values"] = {}  # what a change or a creation carried in its first version
        elif param.name == "reply_to":
            kwargs["reply_to"] = ComputeTaskAPI().continuation("build_on_selection")
        else:
            kwargs[param.name] = f"<{param.name}>"
    return kwargs


def _queue(role):
    return f"compute.{HOST}" if role == "compute" else role


def _below(version):
    """One minor below `version` (itself for x.0: nothing is older)."""
    major, minor = version.split(".")
    return f"{major}.{max(int(minor) - 1, 0)}"


CASES = [(role, index) for role, pairs in
         {"compute": 1, "conductor": 2, "scheduler": 1, "cert": 1, "consoleauth": 1}.items()
         for index in range(pairs)]


def _case(role, index):
    stub_cls, manager_cls = _roles()[role][index]
    return stub_cls, endpoint.declared(manager_cls)


@pytest.mark.parametrize("role, index", CASES)
def test_every_stub_method_sends_its_endpoints_version_to_its_queue(sent, ctxt, role, index):
    stub_cls, since = _case(role, index)
    stub = stub_cls()
    for name in _messages(stub_cls):
        sent.clear()
        getattr(stub, name)(ctxt, **_arguments(stub, name))
        first = sent[0]
        assert (first.method, first.role, first.queue) == (name, role, _queue(role))
        assert first.version == since[name], f"{stub_cls.__name__}.{name}"


@pytest.mark.parametrize("role, index", CASES)
def test_under_a_cap_the_newer_methods_raise_and_the_rest_are_sent(sent, cap, ctxt, role,
                                                                    index):
    stub_cls, since = _case(role, index)
    newest = endpoint.newest(list(since.values()))
    cap(role, _below(newest))
    stub = stub_cls()
    held = []
    for name in _messages(stub_cls):
        sent.clear()
        if not rpc.version_is_compatible(_below(newest), since[name]):
            with pytest.raises(exception.VersionCapExceeded):
                getattr(stub, name)(ctxt, **_arguments(stub, name))
            assert sent == [], f"{name} sent above the cap"
            held.append(name)
            continue
        getattr(stub, name)(ctxt, **_arguments(stub, name))
        assert (sent[0].method, sent[0].version) == (name, since[name])
    assert bool(held) == (newest != "1.0")


def test_a_scheduler_reply_goes_to_its_method_at_that_methods_version(sent, ctxt):
    from stratus.conductor.manager import ComputeTaskManager
    from stratus.conductor.rpcapi import ComputeTaskAPI
    from stratus.scheduler.rpcapi import SchedulerAPI

    functions = endpoint.functions(ComputeTaskManager)
    continued = {name for name, function in functions.items()
                 if "reply" in inspect.signature(function).parameters}
    assert set(ComputeTaskAPI._REPLY_TO) == continued
    for name in sorted(continued):
        sent.clear()
        reply_to = ComputeTaskAPI().continuation(name, instance_uuid="u")
        SchedulerAPI().select_destinations(ctxt, {}, ["u"], reply_to=reply_to)
        assert [(m.method, m.version, m.queue) for m in sent] == [
            ("select_destinations", "1.0", "scheduler"),
            (name, functions[name].rpc_since, "conductor")]


def test_a_reply_to_a_method_above_the_cap_is_refused_before_anything_is_sent(sent, cap,
                                                                             ctxt):
    from stratus.conductor.rpcapi import ComputeTaskAPI

    cap("conductor", "1.2")
    with pytest.raises(exception.VersionCapExceeded):
        ComputeTaskAPI().continuation("evacuate_on_selection", instance_uuid="u")
    assert sent == []


# Arguments added to 1.0 conductor methods in 1.1: the only real cases of
# a method whose arguments changed; each is sent only when given, and left
# out (the 1.0 message sent) when the conductor is capped at 1.0.
NEWER_ARGUMENTS = [
    ("claim_resources", {"instance_uuid": "u", "compute_node_id": 1, "vcpus": 1,
                         "memory_mb": 64, "disk_gb": 1}, "group", "g-1"),
    ("instance_get", {"instance_uuid": "u"}, "read_deleted", True),
    ("instance_update", {"instance_uuid": "u", "values": {}}, "action", "stop"),
    ("action_event_start", {"instance_uuid": "u", "event": "e"}, "task_id", "t-1"),
    ("action_event_finish", {"instance_uuid": "u", "event": "e", "result": "Success"},
     "task_id", "t-1"),
]


@pytest.mark.parametrize("method, kwargs, argument, value", NEWER_ARGUMENTS)
def test_a_newer_argument_raises_the_version_only_when_given(sent, cap, ctxt, method, kwargs,
                                                             argument, value):
    from stratus.conductor.rpcapi import ConductorAPI

    getattr(ConductorAPI(), method)(ctxt, **kwargs)
    getattr(ConductorAPI(), method)(ctxt, **kwargs, **{argument: value})
    cap("conductor", "1.0")
    getattr(ConductorAPI(), method)(ctxt, **kwargs, **{argument: value})
    assert [(m.version, m.kwargs.get(argument)) for m in sent] == [
        ("1.0", None), ("1.1", value), ("1.0", None)]
    assert argument not in sent[2].kwargs


# The mechanism itself, on a stub of a role made for the test.
class ShapeManager:
    @declare(since="1.0")
    def draw(self, ctxt, shape, colour=None, size=None):
        return {"shape": shape, "colour": colour, "size": size}

    @declare(since="1.3")
    def erase(self, ctxt, shape):
        return f"erased {shape}"


rpc.expose("shape", lambda server: ShapeManager(), ShapeManager)


class ShapeAPI:
    """A stub whose `draw` gained `colour` in 1.1 and `size` in 1.2."""

    def __init__(self, cap=None):
        self.client = rpc.RPCClient("shape", "1.3", version_cap=cap)

    def draw(self, ctxt, shape, colour=None, size=None):
        client, newer = self.client.prepare_with("1.0", colour=("1.1", colour),
                                                 size=("1.2", size))
        return client.call(ctxt, "draw", shape=shape, **newer)


def test_prepare_with_sends_the_oldest_version_its_arguments_allow(sent, ctxt):
    ShapeAPI().draw(ctxt, "square")
    ShapeAPI().draw(ctxt, "square", colour="red")
    ShapeAPI().draw(ctxt, "square", colour="red", size=2)
    ShapeAPI(cap="1.1").draw(ctxt, "square", colour="red", size=2)
    ShapeAPI(cap="1.0").draw(ctxt, "square", colour="red", size=2)
    assert [(m.version, m.kwargs) for m in sent] == [
        ("1.0", {"shape": "square"}),
        ("1.1", {"shape": "square", "colour": "red"}),
        ("1.2", {"shape": "square", "colour": "red", "size": 2}),
        ("1.1", {"shape": "square", "colour": "red"}),
        ("1.0", {"shape": "square"})]


def test_a_fallen_back_message_is_served_by_the_server(ctxt):
    assert ShapeAPI(cap="1.0").draw(ctxt, "square", colour="red") == {
        "shape": "square", "colour": None, "size": None}
    assert ShapeAPI().draw(ctxt, "square", size=3)["size"] == 3


def test_server_refuses_a_message_older_than_its_method(ctxt):
    # A stub that sent 1.2 for a 1.3 method: its arguments are not the
    # method's, so it must not run.
    with pytest.raises(exception.UnsupportedVersion, match=r"shape\.erase .* 1\.3"):
        rpc.RPCClient("shape", "1.2").call(ctxt, "erase", shape="circle")
    assert rpc.RPCClient("shape", "1.3").call(ctxt, "erase", shape="circle") == "erased circle"


def test_dispatch_checks_the_method_before_running_it():
    reply = rpc.dispatch("shape", lambda server: ShapeManager(), "erase",
                         {"version": "1.1", "args": {"shape": "x"}, "reply": True})
    assert reply["error"]["type"] == "UnsupportedVersion"
    with pytest.raises(exception.UnsupportedVersion):
        rpc.dispatch("shape", lambda server: ShapeManager(), "erase",
                     {"version": "1.1", "args": {"shape": "x"}, "reply": False})


def test_a_client_that_never_prepared_is_held_by_its_cap_too(sent, ctxt):
    with pytest.raises(exception.VersionCapExceeded):
        rpc.RPCClient("shape", "1.3", version_cap="1.2").call(ctxt, "erase", shape="x")
    assert sent == []


def test_every_role_has_a_cap_setting(cap):
    from stratus.config import get_settings

    for role in _roles():
        cap(role, "1.1")
        assert getattr(get_settings(), f"{role}_rpc_version_cap") == "1.1"


def test_the_api_answers_a_capped_operation_with_a_409_in_novas_shape():
    from stratus.api import errors

    app = flask.Flask(__name__)
    errors.init_app(app)

    @app.route("/v2.1/servers/x/action", methods=["POST"])
    def resize():
        raise exception.VersionCapExceeded(role="compute", version="1.3", cap="1.2")

    reply = app.test_client().post("/v2.1/servers/x/action")
    assert reply.status_code == 409
    assert reply.get_json() == {"conflictingRequest": {
        "code": 409, "message": "RPC version 1.3 is above the cap 1.2 for compute."}}
