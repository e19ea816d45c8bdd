"""ignore_hosts and force_hosts, with Nova's meaning: ignored hosts go
first; when hosts are forced only they remain and the other filters are
skipped (an admin's override; the atomic claim still guards the room)."""
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
