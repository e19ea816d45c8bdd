"""Host weighers; DEFAULT_WEIGHERS are the ones enabled."""
from workers.scheduler.weighers.base import BaseHostWeigher, normalize, weigh_hosts
from workers.scheduler.weighers.resources import CPUWeigher, DiskWeigher, RAMWeigher

ALL_WEIGHERS = {cls.__name__: cls for cls in (RAMWeigher, CPUWeigher, DiskWeigher)}
DEFAULT_WEIGHERS = ("RAMWeigher", "CPUWeigher", "DiskWeigher")


def get_weighers(names=DEFAULT_WEIGHERS):
    """Weigher instances by class name."""
    return [ALL_WEIGHERS[name]() for name in names]


__all__ = ["ALL_WEIGHERS", "DEFAULT_WEIGHERS", "BaseHostWeigher", "CPUWeigher",
           "DiskWeigher", "RAMWeigher", "get_weighers", "normalize", "weigh_hosts"]
