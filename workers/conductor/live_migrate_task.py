"""The conductor's side of live migration (issue 5): a mixin of
ComputeTaskManager."""

# The endpoints this module adds to the conductor (workers.conductor.tasks).
LIVE_MIGRATE_TASK_METHODS = []


class LiveMigrateTaskMixin:
    """Live migration orchestration of ComputeTaskManager."""
