"""A guest's VNC console as the consoleauth role and the noVNC proxy
see it: where it listens, and whether a token's port is still its own."""
from stratus.common import exception
from stratus.common.endpoint import endpoint
from stratus.common.vocabulary import VmState
from stratus.compute.operation import Operation


class Consoles(Operation):
    """The console endpoints of a compute host."""

    @endpoint(since="1.2")
    def get_vnc_console(self, ctxt, instance, console_type):
        """Where the guest's VNC server listens (for a console token)."""
        if console_type != "novnc":
            raise exception.ConsoleTypeInvalid(console_type=console_type)
        try:
            return self.driver.get_vnc_console(ctxt, instance)
        except exception.InstanceNotFound:
            # As Nova: a guest still being built is not ready yet.
            if instance.vm_state != VmState.BUILDING:
                raise
            raise exception.InstanceNotReady(instance_id=instance.uuid) from None

    @endpoint(since="1.2")
    def validate_console_port(self, ctxt, instance, port, console_type):
        """Whether `port` is the guest's console port now: a token made
        before the guest restarted (libvirt may pick another port) or went
        away must not reach whatever listens on that port today."""
        if console_type != "novnc":
            return False
        try:
            console = self.driver.get_vnc_console(ctxt, instance)
        except (exception.InstanceNotFound, exception.ConsoleTypeUnavailable):
            return False
        return str(console["port"]) == str(port)
