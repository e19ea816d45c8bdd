"""Host filters. DEFAULT_FILTERS is the enabled list, in the order they run:
cheap placement rules first, then the resource fits, so that a resource
filter's numbers speak only of hosts that could otherwise have been used."""
from stratus.scheduler.filters.aggregates import AggregateInstanceExtraSpecsFilter
from stratus.scheduler.filters.availability_zone import AvailabilityZoneFilter
from stratus.scheduler.filters.base import BaseHostFilter, Removal, apply_filters
from stratus.scheduler.filters.compute import ComputeFilter
from stratus.scheduler.filters.hosts import (DifferentHostFilter, ForceHostsFilter,
                                             IgnoreHostsFilter, SameHostFilter)
from stratus.scheduler.filters.resources import CoreFilter, DiskFilter, RamFilter
from stratus.scheduler.filters.server_group import (ServerGroupAffinityFilter,
                                                    ServerGroupAntiAffinityFilter)

ALL_FILTERS = {cls.__name__: cls for cls in (
    AvailabilityZoneFilter, AggregateInstanceExtraSpecsFilter, ComputeFilter, SameHostFilter,
    DifferentHostFilter, ServerGroupAntiAffinityFilter, ServerGroupAffinityFilter, RamFilter,
    CoreFilter, DiskFilter)}
DEFAULT_FILTERS = ("AvailabilityZoneFilter", "AggregateInstanceExtraSpecsFilter", "ComputeFilter",
                   "SameHostFilter", "DifferentHostFilter", "ServerGroupAntiAffinityFilter",
                   "ServerGroupAffinityFilter", "RamFilter", "CoreFilter", "DiskFilter")


def get_filters(names=DEFAULT_FILTERS):
    """Filter instances by class name; an unknown name is a KeyError at start-up."""
    return [ALL_FILTERS[name]() for name in names]


def filter_hosts(hosts, spec, filters):
    """Apply ignore/force_hosts, then `filters`; returns (passed, [Removal])."""
    hosts, removals = apply_filters([IgnoreHostsFilter(), ForceHostsFilter()], hosts, spec)
    if spec.force_hosts and hosts:
        return hosts, removals
    passed, more = apply_filters(filters, hosts, spec)
    return passed, removals + more


__all__ = ["ALL_FILTERS", "DEFAULT_FILTERS", "AggregateInstanceExtraSpecsFilter",
           "BaseHostFilter", "Removal", "apply_filters",
           "filter_hosts", "get_filters", "AvailabilityZoneFilter", "ComputeFilter",
           "CoreFilter", "DifferentHostFilter", "DiskFilter", "ForceHostsFilter",
           "IgnoreHostsFilter", "RamFilter", "SameHostFilter",
           "ServerGroupAffinityFilter", "ServerGroupAntiAffinityFilter"]
