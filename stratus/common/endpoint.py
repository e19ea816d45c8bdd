"""`@endpoint(since=...)`: the one declaration of an RPC endpoint.

A manager method marked with it is served as `<role>.<method>`; `since`
is the role's API version that brought the method, `updated` the newest
that changed it. An argument a later version added is optional on the
method, and the stub leaves it out under a cap
(rpc.RPCClient.prepare_with). Registration (stratus.common.rpc.expose)
reads the marks, so no list of names is kept anywhere else, and a role's
API version is the newest `since` or `updated` of its endpoints.

A manager may be composed of operation objects (one per concern): it
lists their classes in `operations` and holds one instance of each in an
attribute; their endpoints are the manager's. This module knows nothing
of Celery, so managers may import it."""
import functools
import inspect


def endpoint(since, updated=None):
    """Mark a manager method as the endpoint of the same name, served
    from API version `since` ("1.x"); `updated`: the version that last
    gave it an argument or a meaning (the role serves that version too)."""
    def mark(method):
        method.rpc_since = since
        method.rpc_updated = updated or since
        return method
    return mark


def _own(klass):
    """{name: since} of the endpoints a class (or its bases) defines."""
    return {name: member.rpc_since
            for name, member in inspect.getmembers(klass, inspect.isfunction)
            if getattr(member, "rpc_since", None) is not None}


def functions(cls):
    """{name: function} of every endpoint of a manager class, its own and
    those of its operation classes."""
    found = {}
    for klass in (cls, *getattr(cls, "operations", ())):
        for name in _own(klass):
            if name in found:
                raise TypeError(f"endpoint {name} declared twice in {cls.__name__}")
            found[name] = getattr(klass, name)
    return found


def declared(cls):
    """{name: since} of every endpoint of a manager class."""
    return {name: function.rpc_since for name, function in functions(cls).items()}


def updated(cls):
    """{name: updated} of every endpoint of a manager class (its `since`
    when no later version changed it)."""
    return {name: function.rpc_updated for name, function in functions(cls).items()}


def bound(manager):
    """{name: bound method} of a manager's endpoints, found on the
    manager itself and on the operation objects it holds (built once)."""
    table = manager.__dict__.get("_rpc_endpoints")
    if table is None:
        operations = tuple(getattr(type(manager), "operations", ()))
        holders = [manager] + [value for value in vars(manager).values()
                               if operations and isinstance(value, operations)]
        table = {name: getattr(holder, name)
                 for holder in holders for name in _own(type(holder))}
        manager._rpc_endpoints = table
    return table


def newest(versions):
    """The highest of "major.minor" strings."""
    return max(versions, key=lambda v: tuple(int(p) for p in v.split(".")))


def one_per_process(manager_cls):
    """The `manager_for(server)` of a role whose process serves every
    message with one manager, built at the first message."""
    build = functools.cache(manager_cls)

    def manager_for(server=None):
        return build()
    # Tests build a fresh manager (a new CA, say) with this.
    manager_for.forget = build.cache_clear
    return manager_for
