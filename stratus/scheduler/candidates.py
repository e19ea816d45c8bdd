"""A bounded filter pass, Nova's placement candidates in effect: the
cached hosts are walked best ranked first (HostStates.best_first), each
through the whole filter chain, until `limit` hosts have passed; only
those are weighed. A decision then costs about the same among 100 hosts
as among 10,000. Requests that name their hosts (force_hosts, a
same_host hint, an affinity group with members) walk only those.

When the walk finds no host it has looked at every one: the caller runs
the full pass (filter_hosts) for NoValidHost's numbers."""
import itertools

from stratus.scheduler.filters import ForceHostsFilter, IgnoreHostsFilter


def _named(spec):
    """The host names a request is bound to, or None: any host may do."""
    if spec.force_hosts:
        return spec.force_hosts
    if spec.same_host is not None:
        return spec.same_host
    group = spec.group
    if group and group.policy == "affinity" and group.hosts:
        return list(group.hosts)
    return None


def _pool(hosts, spec):
    named = _named(spec)
    if named is not None:
        return itertools.chain.from_iterable(hosts.on_host(name) for name in named)
    group = spec.group
    if group and group.policy == "soft-affinity" and group.hosts:
        # The soft-affinity weigher prefers the members' hosts: they must
        # be among the weighed, wherever the ranking puts them.
        members = itertools.chain.from_iterable(hosts.on_host(name) for name in group.hosts)
        return itertools.chain(members, hosts.best_first())
    return hosts.best_first()


def bounded_pass(hosts, spec, filters, failed, limit):
    """Up to `limit` hosts (HostStates) not in `failed` that pass, as
    filter_hosts would pass them: ignore_hosts, then force_hosts, which
    skip the other filters when they leave any host."""
    chain = [IgnoreHostsFilter(), ForceHostsFilter()] + ([] if spec.force_hosts else filters)
    passed, seen = [], set()
    for state in _pool(hosts, spec):
        if state.id in failed or state.id in seen:
            continue
        seen.add(state.id)
        if all(f.host_passes(state, spec) for f in chain):
            passed.append(state)
            if len(passed) >= limit:
                break
    return passed
