"""Versioned wire objects shared by every role."""
from workers.objects.base import from_primitive, to_primitive
from workers.objects.models import (ComputeNode, Flavor, Image, Instance, InstanceAction,
                                    InstanceActionEvent, InstanceGroup, KeyPair, Selection,
                                    Service)

__all__ = ["ComputeNode", "Flavor", "Image", "Instance", "InstanceAction", "InstanceActionEvent",
           "InstanceGroup", "KeyPair", "Selection", "Service", "from_primitive", "to_primitive"]
