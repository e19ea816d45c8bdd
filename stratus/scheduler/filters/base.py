"""The filter seam: a filter says yes or no to one host, and explains in
numbers why it said no to the hosts it removed, so that NoValidHost tells
an operator what to fix."""
import dataclasses

# Enough names to act on without flooding an instance fault on a big cloud.
_NAMES_SHOWN = 5


def host_names(hosts, limit=_NAMES_SHOWN):
    """'node1, node2 and 3 more'."""
    names = sorted(h.host for h in hosts)
    shown = ", ".join(names[:limit])
    return f"{shown} and {len(names) - limit} more" if len(names) > limit else shown


class BaseHostFilter:
    """A host filter. Subclasses implement `host_passes`, and `explain`
    when the names of the removed hosts alone would not say why."""

    @property
    def name(self):
        return type(self).__name__

    def host_passes(self, host_state, spec):
        """True when the host can take one instance of `spec`."""
        raise NotImplementedError

    def explain(self, removed, spec):
        """The deciding numbers for the hosts this filter removed."""
        return host_names(removed)


@dataclasses.dataclass
class Removal:
    """The hosts one filter removed, and why."""

    filter_name: str
    hosts: list
    detail: str

    def __str__(self):
        return f"{self.filter_name} removed {len(self.hosts)} ({self.detail})"


def apply_filters(filters, hosts, spec):
    """Run the filters in order; returns (passed hosts, [Removal])."""
    removals = []
    for host_filter in filters:
        verdicts = [(h, host_filter.host_passes(h, spec)) for h in hosts]
        kept = [h for h, ok in verdicts if ok]
        removed = [h for h, ok in verdicts if not ok]
        if removed:
            removals.append(Removal(host_filter.name, removed,
                                    host_filter.explain(removed, spec)))
        hosts = kept
    return hosts, removals
