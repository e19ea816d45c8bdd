"""The scheduler's cached host states: read through the conductor, kept
for settings.scheduler_host_state_ttl seconds, shared by this process's
requests, and ranked best first so that a decision need not look at
every host (stratus.scheduler.candidates).

The ranking is what the weighers that read the host alone (free RAM,
vCPUs, disk) would say, each value taken as a share of the largest
host's capacity of it, times the weigher's multiplier: a stand-in for
Nova's min-max normalisation that needs no pass over every host when one
host changes. A decision weighs its candidates with the real weighers."""
import bisect
import dataclasses
import threading
import time

from stratus.config import get_settings
from stratus.common.objects import ComputeNode
from stratus.scheduler.host_state import HostState
from stratus.scheduler.weighers import get_weighers

# The conductor version whose compute_node_states reads only what changed.
STATES_SINCE = "1.10"


class HostStates:
    """Every cached host by id, by host name, and best first."""

    def __init__(self, nodes, weighers):
        self.by_id = {node.id: HostState(node) for node in nodes}
        # {node id: (its values, its service's zone)} as last read, for the
        # cache to tell a row read again from a changed one.
        self.rows = {}
        self._weighers = weighers
        self._by_host, self._by_service = {}, {}
        for state in self.by_id.values():
            self._index(state)
        self._lock = threading.Lock()
        self._rank_all()

    def __len__(self):
        return len(self.by_id)

    def __iter__(self):
        return iter(list(self.by_id.values()))

    def _rank_all(self):
        """Scales from the hosts there are, every host ranked on them."""
        states = list(self.by_id.values())
        self._scales = {}
        if states:
            for weigher in self._weighers:
                capacities = [weigher.capacity(state) for state in states]
                if capacities[0] is not None:
                    self._scales[weigher] = max(capacities) or 1
        self._factors = [(w, w.weight_multiplier() / scale) for w, scale in self._scales.items()]
        self._entries = {state.id: self._entry(state) for state in states}
        self._order = sorted(self._entries.values())

    def _outgrown(self, state):
        # No hosts to scale on yet, or a host bigger than the scale.
        return not self._scales or any(w.capacity(state) > scale
                                       for w, scale in self._scales.items())

    def _entry(self, state):
        # Ties go to the host name, then the node name, as in weigh_hosts.
        score = sum(factor * w.weigh_object(state, None) for w, factor in self._factors)
        return (-score, state.host, state.nodename, state.id)

    def best_first(self):
        """The hosts, best ranked first. The order may change under the
        walk (other requests' claims): a host may then be seen twice or
        not at all, and callers skip repeats."""
        order, by_id, index = self._order, self.by_id, 0
        while index < len(order):
            try:
                state = by_id.get(order[index][3])
            except IndexError:
                return
            index += 1
            if state is not None:
                yield state

    def on_host(self, name):
        """The states of a host's nodes (host names compare case-insensitively)."""
        return list(self._by_host.get(name.lower(), ()))

    def of_service(self, service_id):
        """The states of the nodes a service runs."""
        return list(self._by_service.get(service_id, ()))

    def _index(self, state):
        self._by_host.setdefault(state.host.lower(), []).append(state)
        self._by_service.setdefault(state.node.service_id, []).append(state)

    def _unindex(self, state):
        self._by_host[state.host.lower()].remove(state)
        self._by_service[state.node.service_id].remove(state)

    def moved(self, state):
        """Rank `state` again after its numbers changed (a claim consumed):
        its next row read differs from the cached numbers even if it
        equals the row read before."""
        self.rows.pop(state.id, None)
        with self._lock:
            self._unrank(state.id)
            self._rank(state)

    def _rank(self, state):
        entry = self._entries[state.id] = self._entry(state)
        bisect.insort(self._order, entry)

    def _unrank(self, node_id):
        entry = self._entries.pop(node_id, None)
        if entry is not None:
            index = bisect.bisect_left(self._order, entry)
            if index < len(self._order) and self._order[index] == entry:
                del self._order[index]

    def apply(self, nodes, gone):
        """Replace the changed nodes, add the new, drop the gone."""
        with self._lock:
            rescale = False
            for node in nodes:
                state = self.by_id.get(node.id)
                if state is None:
                    state = self.by_id[node.id] = HostState(node)
                else:
                    self._unindex(state)
                    state.node = node
                self._index(state)
                rescale = rescale or self._outgrown(state)
                if not rescale:
                    self._unrank(state.id)
                    self._rank(state)
            for node_id in gone:
                state = self.by_id.pop(node_id, None)
                if state is not None:
                    self._unrank(node_id)
                    self._unindex(state)
            if rescale:
                self._rank_all()


class HostStateCache:
    """The HostStates of this process, read again when older than the
    TTL: claims made here are consumed into them, claims elsewhere and
    releases show at the next read. From conductor 1.10 a read after the
    first brings only the nodes changed since the previous one (and the
    services down or disabled, and the aggregates when they changed);
    capped below, every node is read each time. One thread reads at a
    time; the others wait for its read instead of each asking."""

    def __init__(self, weighers=None):
        self.weighers = get_weighers() if weighers is None else weighers
        self._states, self._read_at, self._since = None, None, None
        # Of the services the nodes name: {id: zone}, {id: (up, disabled)}
        # when down or disabled.
        self._service_zone, self._unavailable, self._aggregates = {}, {}, None
        self._lock = threading.Lock()

    def get(self, ctxt, conductor_api, refresh=False):
        """(HostStates, whether they were read for this call)."""
        with self._lock:
            ttl = get_settings().scheduler_host_state_ttl
            stale = self._read_at is None or time.monotonic() - self._read_at > ttl
            if refresh or stale:
                self._read(ctxt, conductor_api)
                self._read_at = time.monotonic()
            return self._states, refresh or stale

    def _read(self, ctxt, conductor_api):
        if not conductor_api.can_send_version(STATES_SINCE):
            self._states, self._since = HostStates(
                conductor_api.compute_node_get_all(ctxt), self.weighers), None
            return
        since = self._since if self._states is not None else None
        answer = conductor_api.compute_node_states(ctxt, since=since)
        full = since is None or answer.get("full")
        if full:
            self._service_zone = {}
        self._service_zone.update(dict(answer["zones"]))
        if answer["aggregates"] is not None:
            self._aggregates = answer["aggregates"]
        unavailable = {svc: (up, disabled) for svc, up, disabled in answer["unavailable"]}
        before, self._unavailable = self._unavailable, unavailable
        columns, zones = answer["columns"], dict(answer["zones"])
        id_at, service_at = columns.index("id"), columns.index("service_id")
        rows = {} if full else self._states.rows
        nodes = []
        for values in answer["nodes"]:
            # Rows changed shortly before the previous read come again
            # (node_states.OVERLAP): the same values need no new node.
            row = (values, zones.get(values[service_at]))
            if rows.get(values[id_at]) != row:
                rows[values[id_at]] = row
                nodes.append(self._serviced(ComputeNode(**dict(zip(columns, values)))))
        for node_id in answer["gone"]:
            rows.pop(node_id, None)
        if full:
            self._states = HostStates(nodes, self.weighers)
            self._states.rows = rows
        else:
            changed = {node.id for node in nodes}
            if answer["aggregates"] is not None:
                # Zones or metadata changed: every node takes them again.
                again = self._states.by_id.values()
            else:
                # Services that went down or up, were disabled or enabled.
                flipped = {svc for svc in set(before) | set(unavailable)
                           if before.get(svc) != unavailable.get(svc)}
                again = [state for svc in flipped for state in self._states.of_service(svc)]
            nodes += [self._serviced(dataclasses.replace(state.node)) for state in again
                      if state.id not in changed]
            self._states.apply(nodes, answer["gone"])
        self._since = answer["now"]

    def _serviced(self, node):
        """The node with its service's state and zone, its aggregates'
        zone and metadata (convert.compute_node's and hosts._node's rules)."""
        zone = self._service_zone.get(node.service_id)
        if zone is None:  # no service: down and disabled
            node.service_up, node.service_disabled, zone = False, True, "nova"
        else:
            node.service_up, node.service_disabled = self._unavailable.get(
                node.service_id, (True, False))
        zones, metadata = self._aggregates["zones"], self._aggregates["metadata"]
        node.availability_zone = zones.get(node.host, zone or None)
        node.aggregate_metadata = metadata.get(node.host, {})
        return node
