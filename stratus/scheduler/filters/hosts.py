"""ignore_hosts and force_hosts, with Nova's meaning: ignored hosts go
first; when hosts are forced only they remain and the other filters are
skipped (an admin's override; the atomic claim still guards the room).
And the same_host / different_host scheduler hints (Nova's SameHostFilter
and DifferentHostFilter): on a host of the named servers, or on none."""
from stratus.scheduler.filters.base import BaseHostFilter, host_names


def _lowered(names):
    # Host names are DNS names: compare them case-insensitively, as Nova does.
    return {name.lower() for name in names}


class IgnoreHostsFilter(BaseHostFilter):
    """Removes the hosts the request says to avoid (e.g. a migration's source)."""

    def host_passes(self, host_state, spec):
        return host_state.host.lower() not in _lowered(spec.ignore_hosts)

    def explain(self, removed, spec):
        return f"ignored: {host_names(removed)}"


class ForceHostsFilter(BaseHostFilter):
    """When the request forces hosts, removes every other host."""

    def host_passes(self, host_state, spec):
        return not spec.force_hosts or host_state.host.lower() in _lowered(spec.force_hosts)

    def explain(self, removed, spec):
        return f"forced to {', '.join(spec.force_hosts)}; not forced: {host_names(removed)}"


class SameHostFilter(BaseHostFilter):
    """With a same_host hint, keeps the hosts where those servers are."""

    def host_passes(self, host_state, spec):
        return spec.same_host is None or host_state.host.lower() in _lowered(spec.same_host)

    def explain(self, removed, spec):
        return f"not the host of the same_host servers: {host_names(removed)}"


class DifferentHostFilter(BaseHostFilter):
    """With a different_host hint, removes the hosts where those servers are."""

    def host_passes(self, host_state, spec):
        return host_state.host.lower() not in _lowered(spec.different_host)

    def explain(self, removed, spec):
        return f"host of a different_host server: {host_names(removed)}"
