"""Key pairs, quota usage and limits, and service updates in the
conductor's database layer (SQLite)."""
import uuid

import pytest

from stratus.common import exception
from stratus.conductor.db import hosts, keypairs, quotas
from stratus.conductor.db.models import ComputeNode, Instance, InstanceGroup
from stratus.conductor.db.session import transaction


@pytest.fixture
def session(db, monkeypatch):
    from stratus import config

    monkeypatch.setenv("STRATUS_QUOTA_INSTANCES", "10")
    monkeypatch.setenv("STRATUS_QUOTA_CORES", "20")
    monkeypatch.setenv("STRATUS_QUOTA_RAM", "1000")
    config.reset_settings()
    with transaction() as session:
        yield session
    monkeypatch.undo()
    config.reset_settings()


def _instance(session, project="p1", vcpus=2, memory_mb=100, vm_state="active", deleted=False):
    row = Instance(uuid=str(uuid.uuid4()), display_name="vm", project_id=project, user_id="u",
                   vm_state=vm_state, vcpus=vcpus, memory_mb=memory_mb)
    session.add(row)
    session.flush()
    if deleted:
        row.deleted = row.id
    return row


def test_usage_counts_live_instances_of_the_project_and_its_groups(session):
    _instance(session)
    _instance(session, vcpus=4, memory_mb=300)
    _instance(session, deleted=True)
    _instance(session, vm_state="soft-delete")
    _instance(session, project="p2")
    session.add(InstanceGroup(uuid=str(uuid.uuid4()), name="g", project_id="p1", user_id="u",
                              policy="affinity"))
    used = quotas.usages(session, "p1")
    assert (used["instances"], used["cores"], used["ram"], used["server_groups"]) == (2, 6, 400, 1)
    assert used["key_pairs"] == 0 and quotas.usages(session, "empty")["instances"] == 0


def test_check_instances_takes_what_fits(session):
    for _ in range(8):
        _instance(session, vcpus=1, memory_mb=10)
    assert quotas.check_instances(session, "p1", 1, 10, 1, 2) == 2
    # 2 instance slots left, cores would allow 12: 2 of 1-5.
    assert quotas.check_instances(session, "p1", 1, 10, 1, 5) == 2
    # Each needs 5 cores and 12 are left: 2 fit.
    assert quotas.check_instances(session, "p1", 5, 10, 2, 3) == 2
    with pytest.raises(exception.TooManyInstances) as caught:
        quotas.check_instances(session, "p1", 5, 10, 3, 3)
    assert caught.value.message == ("Quota exceeded for cores, instances: Requested 15, 3, but "
                                    "already used 8, 8 of 20, 10 cores, instances")
    quotas.update_limits(session, "p1", {"instances": -1, "cores": -1, "ram": -1})
    assert quotas.check_instances(session, "p1", 100, 10 ** 6, 50, 50) == 50


def test_update_limits_checks_usage_unless_forced(session):
    _instance(session)
    _instance(session)
    with pytest.raises(exception.Invalid, match="for instances must be greater"):
        quotas.update_limits(session, "p1", {"instances": 1})
    assert quotas.update_limits(session, "p1", {"instances": 1}, force=True)["instances"] == 1
    assert quotas.update_limits(session, "p1", {"instances": -1})["instances"] == -1
    with pytest.raises(exception.Invalid, match="Unknown quota resources"):
        quotas.update_limits(session, "p1", {"gpus": 1})
    quotas.delete_limits(session, "p1")
    assert quotas.limits(session, "p1")["instances"] == 10


def test_keypairs_per_user_soft_deleted_names_reusable(session):
    values = {"name": "k", "user_id": "u1", "fingerprint": "f", "public_key": "pk"}
    first = keypairs.keypair_create(session, "p1", dict(values))
    with pytest.raises(exception.KeyPairExists):
        keypairs.keypair_create(session, "p1", dict(values))
    keypairs.keypair_create(session, "p1", dict(values, user_id="u2"))
    keypairs.keypair_destroy(session, "u1", "k")
    assert keypairs.keypair_create(session, "p1", dict(values)).id != first.id
    assert [k.name for k in keypairs.keypair_get_all(session, "u1")] == ["k"]
    assert keypairs.count(session, "u1") == 1
    with pytest.raises(exception.KeypairNotFound):
        keypairs.keypair_get(session, "u3", "k")


def test_service_destroy_takes_its_nodes(session):
    service = hosts.service_update(session, "h1", "nova-compute", "compute.h1")
    hosts.compute_node_update(session, "h1", "h1", {
        "vcpus": 4, "memory_mb": 1024, "local_gb": 10, "hypervisor_type": "TEST"})
    instance = _instance(session)
    instance.host = "h1"
    session.flush()
    with pytest.raises(exception.Conflict):
        hosts.service_destroy(session, service.uuid)
    instance.deleted = instance.id
    session.flush()
    hosts.service_destroy(session, service.uuid)
    assert hosts.service_get_all(session) == []
    assert all(node.deleted for node in session.query(ComputeNode))
    with pytest.raises(exception.ServiceNotFound):
        hosts.service_get(session, str(service.id))
