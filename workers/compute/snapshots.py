"""Snapshots (createImage), shelve, shelve offload, unshelve and
rebuild on the compute host (issue 5). A mixin of ComputeManager."""

# The endpoints this module adds to the compute role (workers.compute.tasks).
SNAPSHOT_METHODS = []


class SnapshotMixin:
    """Snapshot, shelve and rebuild endpoints of ComputeManager."""
