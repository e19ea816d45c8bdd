"""Only hosts whose compute service is enabled and up."""
from stratus.scheduler.filters.base import BaseHostFilter, host_names


class ComputeFilter(BaseHostFilter):
    """Removes hosts whose service is disabled or has missed its heartbeats."""

    def host_passes(self, host_state, spec):
        return host_state.service_up and not host_state.service_disabled

    def explain(self, removed, spec):
        # A host both down and disabled is reported as down: that is the
        # state an operator has to repair first.
        down = [h for h in removed if not h.service_up]
        disabled = [h for h in removed if h.service_up]
        parts = [f"down: {host_names(down)}" if down else "",
                 f"disabled: {host_names(disabled)}" if disabled else ""]
        return "; ".join(p for p in parts if p)
