"""Resize, cold migration and evacuation on the compute hosts (issue 5).
A mixin of ComputeManager."""

# The endpoints this module adds to the compute role (workers.compute.tasks).
RESIZE_METHODS = []


class ResizeMixin:
    """Resize, cold migration and evacuation endpoints of ComputeManager."""
