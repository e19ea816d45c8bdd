"""`stratus compute` as the previous release ran it, for the rolling
upgrade test.

This emulates an older release in the test harness (production has no
such knob): the compute role registers only the endpoints up to
PREVIOUS, so this host serves compute API 1.2, refuses a 1.3 message
and has no task at all for a method 1.3 brought, like a host not yet
upgraded. Everything else is today's code.

    python tests/functional/old_compute.py compute --host NAME
"""
from stratus.common import endpoint, rpc

PREVIOUS = "1.2"
_EXPOSE = rpc.expose


def _expose_previous(role, manager_for, manager_cls):
    if role != "compute":
        return _EXPOSE(role, manager_for, manager_cls)
    declared = endpoint.declared
    endpoint.declared = lambda cls: {name: since for name, since in declared(cls).items()
                                     if rpc.version_is_compatible(PREVIOUS, since)}
    try:
        return _EXPOSE(role, manager_for, manager_cls)
    finally:
        endpoint.declared = declared


if __name__ == "__main__":
    from stratus.cmd.main import cli

    # Before the compute role's tasks module is imported (it exposes them).
    rpc.expose = _expose_previous
    cli(prog_name="stratus")
