"""Only hosts in the availability zone the request names."""
from stratus.scheduler.filters.base import BaseHostFilter


class AvailabilityZoneFilter(BaseHostFilter):
    """A request without a zone may go anywhere (the API has already put
    default_schedule_zone into the request when one is configured)."""

    def host_passes(self, host_state, spec):
        wanted = spec.availability_zone
        return not wanted or host_state.availability_zone == wanted

    def explain(self, removed, spec):
        zones = ", ".join(sorted({h.availability_zone for h in removed}))
        return f"needs zone {spec.availability_zone}, hosts are in {zones}"
