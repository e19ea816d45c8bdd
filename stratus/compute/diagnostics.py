"""What admins read of a guest and of its host, asked of the compute
that runs them (Nova's get_instance_diagnostics and get_host_uptime)."""
from stratus.common.endpoint import endpoint
from stratus.compute.operation import Operation


class Diagnostics(Operation):
    """The diagnostics endpoints of a compute host."""

    @endpoint(since="1.4")
    def get_instance_diagnostics(self, ctxt, instance):
        """The guest's CPU, memory, disk and NIC figures (2.48 shape)."""
        return self.driver.get_instance_diagnostics(instance)

    @endpoint(since="1.4")
    def get_host_uptime(self, ctxt):
        """The host's `uptime` line."""
        return self.driver.get_host_uptime()
