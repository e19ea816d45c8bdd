"""The weigher seam, with Nova's arithmetic: each weigher's raw values are
normalised to 0..1 across the candidate hosts, multiplied by the
weigher's multiplier, and the products summed. Highest total first."""


def normalize(values):
    """Min-max scale to 0..1; all-equal values weigh 0 (no preference)."""
    low, high = min(values), max(values)
    if low == high:
        return [0.0] * len(values)
    return [(v - low) / (high - low) for v in values]


class BaseHostWeigher:
    """A weigher: a raw value per host and a multiplier from the settings.
    A positive multiplier prefers hosts with more of the value (spread),
    a negative one hosts with less (pack)."""

    def weight_multiplier(self):
        raise NotImplementedError

    def weigh_object(self, host_state, spec):
        """The raw, un-normalised value of this host."""
        raise NotImplementedError

    def capacity(self, host_state):
        """For a weigher whose value depends on the host alone: the most
        that value can be on this host, the scale on which the host-state
        cache ranks every host before any request (HostStates). None: the
        value depends on the request, and the cache cannot rank on it."""
        return None


def weigh_hosts(weighers, hosts, spec):
    """The hosts best first, as [(weight, host)]. Ties go to the host name
    (then node name) so that equal hosts are chosen the same way every time."""
    totals = [0.0] * len(hosts)
    for weigher in weighers:
        multiplier = weigher.weight_multiplier()
        if not hosts or not multiplier:
            continue
        raw = [weigher.weigh_object(h, spec) for h in hosts]
        for i, weight in enumerate(normalize(raw)):
            totals[i] += multiplier * weight
    ranked = sorted(zip(totals, hosts), key=lambda p: (-p[0], p[1].host, p[1].nodename))
    return ranked
