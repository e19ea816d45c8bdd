"""The builds a compute host has taken: one empty file per build, named
by its instance, under <state_dir>/builds/<host>/.

A build that does not record its start in the database (its one save is
the last: stratus.compute.build) leaves this mark instead, from before
its guest is made until its save is answered. Creating it is exclusive,
so two deliveries of one message never build at once, and start-up
recovery reads the marks a crash left: those builds had started here,
the others were only queued. A mark outlives a crash of the process,
not of the machine (no fsync: its guests die with the machine too)."""
import contextlib
import os

from stratus.config import get_settings


class BuildMarks:
    """The marks of one host."""

    def __init__(self, host):
        self.dir = get_settings().state_dir / "builds" / host

    def take(self, uuid):
        """Mark the build of `uuid` as started here; False when it already was."""
        self.dir.mkdir(parents=True, exist_ok=True)
        try:
            os.close(os.open(self.dir / uuid, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            return False
        return True

    def release(self, uuid):
        (self.dir / uuid).unlink(missing_ok=True)

    @contextlib.contextmanager
    def taken(self, uuid):
        """Hold the mark of `uuid` while the block runs: yields False (and
        holds nothing) when another delivery holds it."""
        if not self.take(uuid):
            yield False
            return
        try:
            yield True
        finally:
            self.release(uuid)

    def held(self):
        """The uuids of the marks left here (by a crash, at start-up)."""
        try:
            return {path.name for path in self.dir.iterdir()}
        except FileNotFoundError:
            return set()
