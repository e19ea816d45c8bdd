"""Each filter on hand-built compute nodes, with its explanation."""
from stratus.scheduler import filters
from stratus.scheduler.filters.base import host_names
from stratus.scheduler.host_state import Resources

from tests.unit.scheduler.conftest import make_flavor, make_host, make_spec


def test_resources_from_flavor_rounds_swap_up_to_gb():
    flavor = make_flavor(vcpus=2, memory_mb=2048, root_gb=10, ephemeral_gb=5, swap=1025)
    assert Resources.from_flavor(flavor) == Resources(vcpus=2, memory_mb=2048, disk_gb=17)


def test_compute_filter_removes_down_and_disabled_hosts():
    f = filters.ComputeFilter()
    up, down = make_host(1), make_host(3, service_up=False)
    disabled = make_host(4, service_disabled=True)
    spec = make_spec()
    assert f.host_passes(up, spec)
    assert not f.host_passes(down, spec)
    assert not f.host_passes(disabled, spec)
    assert f.explain([down, disabled], spec) == "down: node3; disabled: node4"


def test_ram_filter_applies_allocation_ratio():
    host = make_host(1, memory_mb=2048, ram_allocation_ratio=1.5, memory_mb_used=1024)
    f = filters.RamFilter()
    assert f.host_passes(host, make_spec(make_flavor(memory_mb=2048)))
    spec = make_spec(make_flavor(memory_mb=2049))
    assert not f.host_passes(host, spec)
    assert f.explain([host], spec) == "needs 2049 MB, most free 2048 MB"


def test_core_filter_applies_allocation_ratio():
    host = make_host(1, vcpus=4, cpu_allocation_ratio=4.0, vcpus_used=14)
    f = filters.CoreFilter()
    assert f.host_passes(host, make_spec(make_flavor(vcpus=2)))
    spec = make_spec(make_flavor(vcpus=3))
    assert not f.host_passes(host, spec)
    assert f.explain([host], spec) == "needs 3 vCPUs, most free 2 vCPUs"


def test_disk_filter_counts_root_ephemeral_and_swap():
    host = make_host(1, local_gb=20, local_gb_used=4)
    f = filters.DiskFilter()
    assert f.host_passes(host, make_spec(make_flavor(root_gb=10, ephemeral_gb=5, swap=1024)))
    spec = make_spec(make_flavor(root_gb=10, ephemeral_gb=5, swap=1025))
    assert not f.host_passes(host, spec)
    assert f.explain([host], spec) == "needs 17 GB, most free 16 GB"


def test_resource_explain_takes_the_most_free_and_never_goes_negative():
    spec = make_spec(make_flavor(memory_mb=4096))
    full = make_host(1, memory_mb=1024, memory_mb_used=2048)
    assert filters.RamFilter().explain([full], spec) == "needs 4096 MB, most free 0 MB"
    roomier = make_host(2, memory_mb=4000)
    assert filters.RamFilter().explain([full, roomier], spec) == "needs 4096 MB, most free 4000 MB"


def test_availability_zone_filter():
    f = filters.AvailabilityZoneFilter()
    nova, az1 = make_host(1), make_host(2, availability_zone="az1")
    assert f.host_passes(nova, make_spec()) and f.host_passes(az1, make_spec())
    spec = make_spec(availability_zone="az1")
    assert f.host_passes(az1, spec) and not f.host_passes(nova, spec)
    assert f.explain([nova], spec) == "needs zone az1, hosts are in nova"


def test_ignore_hosts_go_first_case_insensitively():
    hosts = [make_host(1), make_host(2)]
    passed, removals = filters.filter_hosts(hosts, make_spec(ignore_hosts=["NODE1"]),
                                            filters.get_filters())
    assert passed == [hosts[1]]
    assert [str(r) for r in removals] == ["IgnoreHostsFilter removed 1 (ignored: node1)"]


def test_forced_hosts_skip_the_other_filters():
    hosts = [make_host(1), make_host(2, service_up=False)]
    passed, removals = filters.filter_hosts(hosts, make_spec(force_hosts=["node2"]),
                                            filters.get_filters())
    assert passed == [hosts[1]]
    assert str(removals[0]) == "ForceHostsFilter removed 1 (forced to node2; not forced: node1)"


def test_forced_unknown_host_leaves_nothing():
    passed, removals = filters.filter_hosts([make_host(1)], make_spec(force_hosts=["ghost"]),
                                            filters.get_filters())
    assert passed == [] and [r.filter_name for r in removals] == ["ForceHostsFilter"]


def test_filters_run_in_order_and_report_only_what_they_removed():
    hosts = [make_host(1), make_host(2, availability_zone="az1"),
             make_host(3, availability_zone="az1", service_up=False),
             make_host(4, availability_zone="az1", memory_mb=512)]
    spec = make_spec(availability_zone="az1")
    passed, removals = filters.filter_hosts(hosts, spec, filters.get_filters())
    assert passed == [hosts[1]]
    assert [str(r) for r in removals] == [
        "AvailabilityZoneFilter removed 1 (needs zone az1, hosts are in nova)",
        "ComputeFilter removed 1 (down: node3)",
        "RamFilter removed 1 (needs 1024 MB, most free 512 MB)"]


def test_host_names_are_sorted_and_truncated():
    hosts = [make_host(i) for i in range(7, 0, -1)]
    assert host_names(hosts) == "node1, node2, node3, node4, node5 and 2 more"
