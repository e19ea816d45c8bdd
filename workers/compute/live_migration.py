"""Live migration on the source and destination hosts (issue 5). A
mixin of ComputeManager."""

# The endpoints this module adds to the compute role (workers.compute.tasks).
LIVE_MIGRATION_METHODS = []


class LiveMigrationMixin:
    """Live migration endpoints of ComputeManager."""
