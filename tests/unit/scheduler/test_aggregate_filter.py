"""AggregateInstanceExtraSpecsFilter: the flavor's scoped specs against
the metadata of the host's aggregates, with Nova's operators."""
import pytest

from stratus.common.objects import ComputeNode, Flavor
from stratus.scheduler.filters.aggregates import AggregateInstanceExtraSpecsFilter, matches
from stratus.scheduler.host_state import HostState
from stratus.scheduler.spec import RequestSpec


def _host(metadata):
    return HostState(ComputeNode(id=1, host="h", hypervisor_hostname="h",
                                 hypervisor_type="QEMU", hypervisor_version=1, vcpus=4,
                                 memory_mb=4096, local_gb=40, aggregate_metadata=metadata))


def _spec(extra_specs):
    flavor = Flavor(id=1, flavorid="1", name="f", vcpus=1, memory_mb=64, root_gb=1,
                    extra_specs=extra_specs)
    return RequestSpec.from_dict({"flavor": flavor})


@pytest.mark.parametrize("metadata, specs, passes", [
    ({}, {}, True),
    ({}, {"aggregate_instance_extra_specs:ssd": "true"}, False),
    ({"ssd": ["true"]}, {"aggregate_instance_extra_specs:ssd": "true"}, True),
    ({"ssd": ["false", "true"]}, {"aggregate_instance_extra_specs:ssd": "true"}, True),
    ({"ssd": ["false"]}, {"aggregate_instance_extra_specs:ssd": "true"}, False),
    # Other namespaces and unscoped keys are not this filter's.
    ({}, {"hw:cpu_policy": "shared", "plain": "x"}, True),
])
def test_host_passes(metadata, specs, passes):
    assert AggregateInstanceExtraSpecsFilter().host_passes(_host(metadata), _spec(specs)) is passes


@pytest.mark.parametrize("value, requirement, result", [
    ("abc", "abc", True), ("abc", "abd", False),
    ("4", ">= 2", True), ("1", ">= 2", False), ("4", "= 2", True), ("2", "== 2", True),
    ("avx2 sse", "<in> avx", True), ("b", "<or> a <or> b", True), ("c", "<or> a <or> b", False),
    ("a b c", "<all-in> a c", True), ("abc", "s== abc", True), ("x", ">= y", False),
])
def test_operators(value, requirement, result):
    assert matches(value, requirement) is result
