"""Server group soft policies (Nova's ServerGroupSoft*Weigher): no host is
refused, but hosts holding more members of a soft-affinity group weigh
more, and hosts holding more members of a soft-anti-affinity group less."""
from stratus.config import get_settings
from stratus.scheduler.weighers.base import BaseHostWeigher


class _SoftGroupWeigher(BaseHostWeigher):
    policy = ""

    def members_on(self, host_state, spec):
        group = spec.group
        return group.members_on(host_state.host) if group and group.policy == self.policy else 0


class ServerGroupSoftAffinityWeigher(_SoftGroupWeigher):
    """Members of the request's soft-affinity group on the host, times
    soft_affinity_weight_multiplier."""

    policy = "soft-affinity"

    def weight_multiplier(self):
        return get_settings().soft_affinity_weight_multiplier

    def weigh_object(self, host_state, spec):
        return self.members_on(host_state, spec)


class ServerGroupSoftAntiAffinityWeigher(_SoftGroupWeigher):
    """Minus the members of the request's soft-anti-affinity group on the
    host, times soft_anti_affinity_weight_multiplier."""

    policy = "soft-anti-affinity"

    def weight_multiplier(self):
        return get_settings().soft_anti_affinity_weight_multiplier

    def weigh_object(self, host_state, spec):
        return -self.members_on(host_state, spec)
