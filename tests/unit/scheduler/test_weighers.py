"""Nova's weighing: normalised free amounts times multipliers, summed."""
import pytest

from stratus.scheduler import weighers
from stratus.scheduler.weighers import normalize, weigh_hosts

from tests.unit.scheduler.conftest import make_host, make_spec


def _order(hosts, names=weighers.DEFAULT_WEIGHERS):
    return [h.host for _, h in weigh_hosts(weighers.get_weighers(names), hosts, make_spec())]


def test_normalize():
    assert normalize([10, 20, 15]) == [0.0, 1.0, 0.5]
    assert normalize([7, 7]) == [0.0, 0.0]


def test_default_multipliers_spread_to_the_emptiest_host():
    hosts = [make_host(1, memory_mb_used=6000), make_host(2), make_host(3, memory_mb_used=2000)]
    assert _order(hosts) == ["node2", "node3", "node1"]


def test_negative_multiplier_packs(settings):
    settings(ram_weight_multiplier=-1.0)
    hosts = [make_host(1, memory_mb_used=6000), make_host(2), make_host(3, memory_mb_used=2000)]
    assert _order(hosts, ["RAMWeigher"]) == ["node1", "node3", "node2"]


def test_weights_are_summed_with_their_multipliers(settings):
    settings(ram_weight_multiplier=1.0, cpu_weight_multiplier=3.0)
    more_ram = make_host(1, vcpus_used=6)                # RAM 1.0, CPU 0.0 -> 1.0
    more_cpu = make_host(2, memory_mb_used=4096)         # RAM 0.0, CPU 3.0 -> 3.0
    ranked = weigh_hosts(weighers.get_weighers(["RAMWeigher", "CPUWeigher"]),
                         [more_ram, more_cpu], make_spec())
    assert [(w, h.host) for w, h in ranked] == [(3.0, "node2"), (1.0, "node1")]


def test_cpu_and_disk_weighers_use_free_amounts():
    hosts = [make_host(1, vcpus_used=4, local_gb_used=0), make_host(2, local_gb_used=50)]
    assert _order(hosts, ["CPUWeigher"]) == ["node2", "node1"]
    assert _order(hosts, ["DiskWeigher"]) == ["node1", "node2"]


def test_ties_break_by_host_name():
    hosts = [make_host(3, host="c"), make_host(1, host="a"), make_host(2, host="b")]
    assert _order(hosts) == ["a", "b", "c"]


@pytest.mark.parametrize("multiplier", ["0", "0.0"])
def test_zero_multiplier_has_no_say(settings, multiplier):
    settings(ram_weight_multiplier=multiplier)
    hosts = [make_host(1, host="b"), make_host(2, host="a", memory_mb_used=4096)]
    assert _order(hosts, ["RAMWeigher"]) == ["a", "b"]
