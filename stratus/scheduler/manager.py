"""The scheduler's endpoint: choose a host for each instance, claim its
room atomically through the conductor, and offer alternates for
reschedules. Knows nothing about Celery."""
import copy
import dataclasses
import logging

from stratus.config import get_settings
from stratus.common import exception
from stratus.conductor import rpcapi as conductor_rpcapi
from stratus.common.objects import Selection
from stratus.scheduler.candidates import bounded_pass
from stratus.scheduler.filters import filter_hosts, get_filters
from stratus.scheduler.filters.base import host_names
from stratus.scheduler.host_cache import HostStateCache
from stratus.scheduler.host_state import HostState, Resources
from stratus.scheduler.spec import RequestSpec
from stratus.scheduler.weighers import get_weighers, weigh_hosts
from stratus.common.endpoint import endpoint

LOG = logging.getLogger(__name__)


def _plural(count, word):
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def no_valid_host_reason(total, removals, failed_claims, group_refusal=""):
    """'0 of 3 hosts: ComputeFilter removed 1 (down: node3); ...' for the fault."""
    if not total:
        return "0 of 0 hosts: no compute nodes are registered"
    parts = [str(removal) for removal in removals]
    if failed_claims:
        parts.append(f"claims failed on {_plural(failed_claims, 'host')} "
                     "(taken by concurrent requests)")
    if group_refusal:
        parts.append(group_refusal)
    return f"0 of {_plural(total, 'host')}: " + "; ".join(parts)


def group_refusal(group, refused, removals):
    """Why the claim took none of `refused`: the group's policy, checked
    under its lock, against members placed since the snapshot filtered.
    The group is named once (a fault message holds 255 characters)."""
    if not refused:
        return ""
    named = any(group.uuid in removal.detail for removal in removals)
    by = "the same group" if named else f"{group.policy} group {group.uuid}"
    return f"claims refused on {host_names(refused)} by {by} (members placed concurrently)"


def _selection(host, claimed):
    return Selection(host=host.host, nodename=host.nodename, compute_node_id=host.id,
                     claimed=claimed)


class SchedulerManager:
    """Filters and weighs the best ranked compute nodes, a bounded window
    of them (candidates.bounded_pass), then claims best first.

    Host states come from the cache once per request; each claim is
    consumed into them so that later instances of the same request (and
    later requests) see it. A claim refused by the conductor means another
    scheduler took the room first: that host is dropped for the rest of
    the request and the next one is tried."""

    def __init__(self, conductor_api=None, filters=None, weighers=None):
        self.conductor_api = conductor_api or conductor_rpcapi.ConductorAPI()
        self.filters = get_filters() if filters is None else filters
        self.weighers = get_weighers() if weighers is None else weighers
        self.host_states = HostStateCache(self.weighers)

    @endpoint(since="1.0")
    def select_destinations(self, ctxt, request_spec, instance_uuids, return_alternates=True):
        """For each instance, [claimed Selection, alternates...]; raises
        NoValidHost (releasing this request's claims) when one cannot be placed.

        Host states may come from a cache a fraction of a second old (claims
        are the authority); a request that fails on them is tried once more
        on fresh ones, so a NoValidHost always explains current numbers."""
        return self._choose(ctxt, request_spec, instance_uuids, return_alternates, claim=True)

    @endpoint(since="1.2")
    def select_hosts(self, ctxt, request_spec, instance_uuids, return_alternates=True,
                     refresh=False):
        """select_destinations without the claims: for each instance
        [chosen, alternates...], none claimed. The caller claims them in
        that order (the conductor, in the transaction that records the
        host: one call less a boot); the chosen host's room is taken from
        this scheduler's host states as a claim's would be. `refresh`:
        read the host states afresh first (the caller's claims on the last
        choice were all refused)."""
        return self._choose(ctxt, request_spec, instance_uuids, return_alternates, claim=False,
                            refresh=refresh)

    def _choose(self, ctxt, request_spec, instance_uuids, return_alternates, claim,
                refresh=False):
        spec = RequestSpec.from_dict(request_spec)
        hosts, fresh = self.host_states.get(ctxt, self.conductor_api, refresh=refresh)
        try:
            return self._select(ctxt, spec, instance_uuids, return_alternates, hosts, claim)
        except exception.NoValidHost:
            if fresh:
                raise
            hosts, _ = self.host_states.get(ctxt, self.conductor_api, refresh=True)
            # Afresh: the failed try recorded its released placements in the group.
            spec = RequestSpec.from_dict(request_spec)
            return self._select(ctxt, spec, instance_uuids, return_alternates, hosts, claim)

    @endpoint(since="1.1")
    def check_host(self, ctxt, request_spec, host):
        """Whether `host`, where the server of `request_spec` already runs
        and holds its claim, still passes the filters (a rebuild with a new
        image, Nova's re-check): nothing is claimed, and the server's own
        usage there is not held against it. NoValidHost if it does not."""
        spec = dataclasses.replace(RequestSpec.from_dict(request_spec), force_hosts=[])
        nodes, _ = self.host_states.get(ctxt, self.conductor_api, refresh=True)
        # Copies: the cached nodes are shared with other requests.
        mine = [HostState(copy.copy(state.node)) for state in nodes.on_host(host)
                if state.host == host]
        own = spec.resources
        for state in mine:
            state.consume(Resources(-own.vcpus, -own.memory_mb, -own.disk_gb))
        passed, removals = filter_hosts(mine, spec, self.filters)
        if not passed:
            raise exception.NoValidHost(reason=no_valid_host_reason(len(mine), removals, 0))
        return True

    def _select(self, ctxt, spec, instance_uuids, return_alternates, hosts, claim=True):
        failed, refused = set(), []  # refused: the failed hosts the group's policy refused
        placed = []
        for index, instance_uuid in enumerate(instance_uuids):
            try:
                chosen, others = self._place(ctxt, instance_uuid, spec, hosts, failed, refused,
                                             claim)
            except exception.NoValidHost as exc:
                if claim:
                    self._release(ctxt, placed)
                raise self._for_request(exc, index, instance_uuids, claim)
            placed.append((instance_uuid, chosen, others))
        alternates = get_settings().max_attempts - 1 if return_alternates else 0
        return [[_selection(chosen, claim)] + [_selection(h, False) for h in others[:alternates]]
                for _, chosen, others in placed]

    def _place(self, ctxt, instance_uuid, spec, hosts, failed, refused, claim=True):
        """Claim the best host that takes the claim; returns (host, the
        hosts ranked after it). The candidates are a bounded window of
        the best ranked hosts that pass (candidates.bounded_pass), walked
        again past the failed ones until none is left; then the full
        pass over every host explains why."""
        limit = max(get_settings().scheduler_max_candidates, get_settings().max_attempts)
        while True:
            window = bounded_pass(hosts, spec, self.filters, failed, limit)
            if not window:
                break
            placed = self._claim_best(ctxt, instance_uuid, spec, hosts, window, failed, refused,
                                      claim)
            if placed:
                return placed
        candidates = [h for h in hosts if h.id not in failed]
        passed, removals = filter_hosts(candidates, spec, self.filters)
        # Passed here but not in the walk: numbers changed under it.
        placed = self._claim_best(ctxt, instance_uuid, spec, hosts, passed, failed, refused,
                                  claim)
        if placed:
            return placed
        raise exception.NoValidHost(reason=no_valid_host_reason(
            len(hosts), removals, len(failed) - len(refused),
            group_refusal(spec.group, refused, removals)))

    def _claim_best(self, ctxt, instance_uuid, spec, hosts, passed, failed, refused,
                    claim=True):
        """(claimed host, the hosts ranked after it), or None when every
        host of `passed` refused the claim (each added to `failed`).
        Without `claim` the best host is taken unclaimed (select_hosts)."""
        ranked = [host for _, host in weigh_hosts(self.weighers, passed, spec)]
        for position, host in enumerate(ranked):
            if not claim or self._claim(ctxt, instance_uuid, host, spec, refused):
                host.consume(spec.resources)
                hosts.moved(host)
                if spec.group:
                    spec.group.add_member_on(host.host)
                LOG.info("Instance %s %s %s on %s (%d other hosts weighed)", instance_uuid,
                         "claimed" if claim else "chose", spec.resources, host, len(ranked) - 1)
                return host, ranked[position + 1:]
            failed.add(host.id)
        return None

    def _claim(self, ctxt, instance_uuid, host, spec, refused):
        """Whether the conductor took the claim; a host refused by the
        request's server group policy is added to `refused`."""
        resources = spec.resources
        # Only a hard policy needs the claim's check; other claims keep
        # the message of RPC 1.0.
        hard = spec.group and spec.group.policy in ("affinity", "anti-affinity")
        try:
            claimed = bool(self.conductor_api.claim_resources(
                ctxt, instance_uuid=instance_uuid, compute_node_id=host.id,
                vcpus=resources.vcpus, memory_mb=resources.memory_mb,
                disk_gb=resources.disk_gb, **({"group": spec.group.uuid} if hard else {})))
        except exception.ComputeHostNotFound:
            # Deleted since we read the nodes: as good as taken.
            return False
        except exception.GroupAffinityViolation as exc:
            LOG.info("Claim for %s on %s refused: %s", instance_uuid, host, exc.message)
            refused.append(host)
            return False
        if not claimed:
            LOG.info("Claim for %s on %s refused: taken concurrently", instance_uuid, host)
        return claimed

    def _release(self, ctxt, placed):
        # The request fails as a whole (as in Nova): claims already made for
        # its earlier instances would otherwise hold room nobody will use.
        for instance_uuid, host, _ in placed:
            try:
                self.conductor_api.release_resources(ctxt, instance_uuid, compute_node_id=host.id)
            except exception.StratusException:
                LOG.exception("Could not release the claim of %s on %s", instance_uuid, host)

    @staticmethod
    def _for_request(exc, index, instance_uuids, claim=True):
        if len(instance_uuids) == 1:
            return exc
        reason = f"{exc.kwargs['reason']} (instance {index + 1} of {len(instance_uuids)}"
        if index and claim:
            reason += f"; the claims of the {index} placed before it were released"
        return exception.NoValidHost(reason=reason + ")")
