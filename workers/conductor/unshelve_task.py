"""The conductor's side of unshelve and rebuild (issue 5): a mixin of
ComputeTaskManager."""

# The endpoints this module adds to the conductor (workers.conductor.tasks).
UNSHELVE_TASK_METHODS = []


class UnshelveTaskMixin:
    """Unshelve and rebuild orchestrations of ComputeTaskManager."""
