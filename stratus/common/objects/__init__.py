"""Versioned wire objects shared by every role."""
from stratus.common.objects.base import from_primitive, to_primitive
from stratus.common.objects.models import (Aggregate, Certificate, ComputeNode, Flavor, Image, Instance,
                                           InstanceAction, InstanceActionEvent, InstanceGroup, KeyPair,
                                           Migration, Selection, Service)
# identity
from stratus.common.objects.identity import Project, User

__all__ = ["Aggregate", "Certificate", "ComputeNode", "Flavor", "Image", "Instance", "InstanceAction",
           "InstanceActionEvent", "InstanceGroup", "KeyPair", "Migration", "Selection", "Service",
           "from_primitive", "to_primitive"] + ["Project", "User"]
