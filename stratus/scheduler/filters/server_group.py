"""Server group hard policies (Nova's ServerGroup*Filter): anti-affinity
keeps members apart (at most max_server_per_host on a host), affinity
keeps them together. The filters judge the member hosts the conductor
read before scheduling; the conductor's claim checks the policy again
under the group's lock, which settles members scheduled concurrently."""
from stratus.scheduler.filters.base import BaseHostFilter, host_names


def _group(spec, policy):
    """The request's group when its policy is `policy`, else None."""
    return spec.group if spec.group and spec.group.policy == policy else None


class ServerGroupAntiAffinityFilter(BaseHostFilter):
    """Removes the hosts already holding max_server_per_host (default 1)
    members of the request's anti-affinity group."""

    def host_passes(self, host_state, spec):
        group = _group(spec, "anti-affinity")
        return not group or group.members_on(host_state.host) < group.max_server_per_host

    def explain(self, removed, spec):
        group = spec.group
        most = group.max_server_per_host
        held = "a member" if most == 1 else f"{most} members"
        verb = "holds" if len(removed) == 1 else "hold"
        return f"{host_names(removed)} already {verb} {held} of anti-affinity group {group.uuid}"


class ServerGroupAffinityFilter(BaseHostFilter):
    """Once a member of the request's affinity group is placed, removes
    every host but the members' own."""

    def host_passes(self, host_state, spec):
        group = _group(spec, "affinity")
        return not group or not group.hosts or host_state.host in group.hosts

    def explain(self, removed, spec):
        group = spec.group
        return (f"{host_names(removed)}: affinity group {group.uuid} has its members on "
                f"{', '.join(sorted(group.hosts))}")
