"""@endpoint: the one declaration registration reads, on a manager and on
the operation objects it is composed of."""
import pytest

from stratus.common import endpoint as ep, rpc
from stratus.common.celeryapp import app
from stratus.common.endpoint import endpoint


class Power:
    def __init__(self, manager):
        self.manager = manager

    @endpoint(since="1.1")
    def stop_thing(self, ctxt):
        return f"stopped on {self.manager.host}"

    def helper(self, ctxt):
        return "not an endpoint"


class Thing:
    operations = (Power,)

    def __init__(self):
        self.host = "h1"
        self.power = Power(self)

    @endpoint(since="1.0")
    def make_thing(self, ctxt):
        return "made"


def test_declared_reads_the_manager_and_its_operation_classes():
    assert ep.declared(Thing) == {"make_thing": "1.0", "stop_thing": "1.1"}


def test_bound_serves_each_endpoint_from_its_holder():
    table = ep.bound(Thing())
    assert sorted(table) == ["make_thing", "stop_thing"]
    assert table["stop_thing"](None) == "stopped on h1"


def test_an_endpoint_declared_twice_is_refused():
    class Twice(Power):
        pass

    class Both(Thing):
        operations = (Power, Twice)

    with pytest.raises(TypeError, match="stop_thing"):
        ep.declared(Both)


def test_expose_registers_the_declared_endpoints_and_the_newest_version():
    tasks = rpc.expose("thing", lambda server: Thing(), Thing)
    assert sorted(tasks) == ["make_thing", "stop_thing"]
    assert "thing.helper" not in app.tasks
    assert rpc.SUPPORTED["thing"] == "1.1"


def test_newest_compares_versions_as_numbers():
    assert ep.newest(["1.2", "1.10", "1.9"]) == "1.10"


def test_one_per_process_builds_one_manager_until_forgotten():
    manager_for = ep.one_per_process(Thing)
    first = manager_for()
    assert manager_for("any-server") is first
    manager_for.forget()
    assert manager_for() is not first


def test_a_version_that_only_changed_an_endpoint_is_served_too():
    class Changed:
        @endpoint(since="1.0", updated="1.4")
        def save_thing(self, ctxt, newer=None):
            return newer

    assert ep.declared(Changed) == {"save_thing": "1.0"}  # what a stub sends without `newer`
    assert ep.updated(Changed) == {"save_thing": "1.4"}
    rpc.expose("changed", lambda server: Changed(), Changed)
    assert rpc.SUPPORTED["changed"] == "1.4"
