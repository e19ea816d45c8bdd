"""Host weighers; DEFAULT_WEIGHERS are the ones enabled."""
from stratus.scheduler.weighers.base import BaseHostWeigher, normalize, weigh_hosts
from stratus.scheduler.weighers.resources import CPUWeigher, DiskWeigher, RAMWeigher
from stratus.scheduler.weighers.server_group import (ServerGroupSoftAffinityWeigher,
                                                     ServerGroupSoftAntiAffinityWeigher)

ALL_WEIGHERS = {cls.__name__: cls for cls in (
    RAMWeigher, CPUWeigher, DiskWeigher, ServerGroupSoftAffinityWeigher,
    ServerGroupSoftAntiAffinityWeigher)}
DEFAULT_WEIGHERS = ("RAMWeigher", "CPUWeigher", "DiskWeigher", "ServerGroupSoftAffinityWeigher",
                    "ServerGroupSoftAntiAffinityWeigher")


def get_weighers(names=DEFAULT_WEIGHERS):
    """Weigher instances by class name."""
    return [ALL_WEIGHERS[name]() for name in names]


__all__ = ["ALL_WEIGHERS", "DEFAULT_WEIGHERS", "BaseHostWeigher", "CPUWeigher",
           "DiskWeigher", "RAMWeigher", "ServerGroupSoftAffinityWeigher",
           "ServerGroupSoftAntiAffinityWeigher", "get_weighers", "normalize", "weigh_hosts"]
