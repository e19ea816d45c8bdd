"""instance_get_all builds its reply straight from plain rows (no ORM
objects, no wire objects): it must be what converting the ORM rows one by
one (convert.instance) gives, field for field."""
import datetime

from sqlalchemy import update

from stratus.common.objects import Flavor, Instance, to_primitive
from stratus.common.objects.base import Encoded
from stratus.conductor import convert
from stratus.conductor.db import instances
from stratus.conductor.db.models import Instance as InstanceRow
from stratus.conductor.db.session import transaction

FLAVOR = Flavor(id=3, flavorid="f3", name="m1.small", vcpus=1, memory_mb=512, root_gb=1,
                extra_specs={"hw:mem_page_size": "large"})
VIF = {"port_id": "p1", "mac": "fa:16:3e:00:00:01", "network_name": "private", "ip": "10.0.0.5"}
T0 = datetime.datetime(2026, 3, 4, 5, 6, 7, 891011)


def _record():
    """Servers of every shape: whole, bare, failed (with faults), an old
    flavor missing fields, JSON nulls, deleted."""
    rows = [
        {"uuid": "a", "vm_state": "active", "host": "h1", "flavor": FLAVOR.to_dict(),
         "metadata": {"k": "v"}, "system_metadata": {"auto_disk_config": True},
         "network_info": [VIF], "launched_at": T0, "locked": True, "key_data": "ssh-rsa x"},
        {"uuid": "b", "vm_state": "building", "flavor": None, "metadata": None},
        {"uuid": "c", "vm_state": "error", "flavor": {"id": 1, "flavorid": "old", "name": "o",
                                                    "vcpus": 1, "memory_mb": 1, "root_gb": 0}},
        {"uuid": "d", "vm_state": "error", "terminated_at": T0, "deleted_at": T0},
    ]
    with transaction() as session:
        for n, values in enumerate(rows):
            instances.instance_create(session, {
                "display_name": f"vm-{n}", "project_id": "p1", "user_id": "u1",
                "created_at": T0 + datetime.timedelta(seconds=n), **values})
        session.execute(update(InstanceRow).where(InstanceRow.uuid == "d").values(deleted=4))
        instances.fault_create(session, "c", 500, "first", "trace")
        instances.fault_create(session, "c", 400, "latest")


def _one_by_one(filters):
    with transaction() as session:
        rows = instances.instance_get_all(session, filters)
        faults = instances.latest_faults(session, [row.uuid for row in rows])
        return to_primitive([convert.instance(row, faults.get(row.uuid)) for row in rows])


def test_the_list_reply_is_the_rows_converted_one_by_one(api, ctxt, conductor):
    from stratus.conductor.instances import Instances

    _record()
    # Already in its wire form: dispatch passes it on without a walk.
    assert type(Instances().instance_get_all(ctxt, {})) is Encoded
    for filters in ({}, {"deleted": True}, {"vm_state": ["error"], "deleted": True}):
        expected = _one_by_one(filters)
        assert expected and to_primitive(Instances().instance_get_all(ctxt, filters)) == expected
    listed = api.instance_get_all(ctxt, {"deleted": True})
    assert [i.uuid for i in listed] == ["d", "c", "b", "a"]
    assert all(type(i) is Instance for i in listed)
    assert listed[1].fault["message"] == "latest" and listed[2].flavor is None
    assert listed[3].flavor == FLAVOR and listed[3].network_info == [VIF]
    assert listed[1].flavor.rxtx_factor == 1.0  # an old flavor's missing fields: defaults


def test_a_page_with_its_tags_is_the_page_and_its_servers_tags(api, ctxt, conductor):
    from stratus.conductor.db import tags

    _record()
    with transaction() as session:
        tags.replace(session, "a", ["web", "db"])
        tags.replace(session, "d", ["gone"])
    for filters, limit, marker in (({}, None, None), ({"deleted": True}, 2, "d"),
                                   ({"uuid": ["zzz"]}, None, None)):
        page = api.instance_get_all_with_tags(ctxt, filters, limit, marker)
        listed = api.instance_get_all(ctxt, filters, limit, marker)
        assert page["instances"] == listed
        assert page["tags"] == (api.instance_tags_get_by_instances(ctxt, [i.uuid for i in listed])
                                if listed else {})
    assert api.instance_get_all_with_tags(ctxt, {})["tags"] == {
        "a": ["db", "web"], "b": [], "c": []}


def test_servers_stored_alike_are_listed_as_converted_one_by_one(api, ctxt, conductor):
    from stratus.conductor.instances import Instances

    with transaction() as session:
        for n in range(3):
            instances.instance_create(session, {
                "uuid": f"same-{n}", "display_name": f"same-{n}", "project_id": "p1",
                "user_id": "u1", "vm_state": "active", "flavor": FLAVOR.to_dict(),
                "system_metadata": {"image_min_ram": "0"}, "metadata": {"k": str(n)},
                "created_at": T0 + datetime.timedelta(seconds=n)})
    reply = to_primitive(Instances().instance_get_all(ctxt, {}))
    assert reply == _one_by_one({})
    data = [server["stratus_object.data"] for server in reply]
    assert data[0]["flavor"] is data[2]["flavor"]  # decoded once for the page
    listed = api.instance_get_all(ctxt, {})
    assert listed[0].flavor == listed[2].flavor == FLAVOR and listed[0].flavor is not listed[2].flavor
    listed[0].system_metadata["changed"] = "1"
    assert listed[2].system_metadata == {"image_min_ram": "0"}  # the api's objects are its own
