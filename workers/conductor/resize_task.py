"""The conductor's side of resize, cold migration and evacuation
(issue 5): a mixin of ComputeTaskManager."""

# The endpoints this module adds to the conductor (workers.conductor.tasks).
RESIZE_TASK_METHODS = []


class ResizeTaskMixin:
    """Resize, cold migration and evacuation orchestrations of ComputeTaskManager."""
