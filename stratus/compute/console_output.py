"""A guest's console output, read by its compute host (Nova's
get_console_output): the last `length` lines of its serial log."""
import re

from stratus.common.endpoint import endpoint
from stratus.compute.operation import Operation

# Control characters other than tab and newline, as Nova strips them.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class ConsoleOutput(Operation):
    """The console output endpoint of a compute host."""

    @endpoint(since="1.4")
    def get_console_output(self, ctxt, instance, length=None):
        """The serial output as text, its last `length` lines if given."""
        text = self.driver.get_console_output(ctxt, instance).decode("utf-8", "replace")
        text = _UNPRINTABLE.sub("", text.replace("\r\n", "\n"))
        if length is not None:
            lines = text.splitlines(keepends=True)
            text = "".join(lines[-length:]) if length > 0 else ""
        return text
