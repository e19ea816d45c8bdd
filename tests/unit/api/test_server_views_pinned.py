"""Every field of a server's detail view, pinned at a few microversions,
for an admin and a member: the list and the show of two servers recorded
in the test database (on the real eager stack), compared with the bodies
in server_views_pinned.json. The list's rendering is tuned for speed; this
keeps any such change from altering a body silently."""
import datetime
import json
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.unit.api.conftest import act_as, mv

PINNED = json.loads((Path(__file__).parent / "server_views_pinned.json").read_text())
ACTIVE = "0a000000-0000-0000-0000-000000000001"
ERROR = "0e000000-0000-0000-0000-000000000002"
FLAVOR = {"id": 7, "flavorid": "f1", "name": "m1.pin", "vcpus": 2, "memory_mb": 2048,
          "root_gb": 20, "ephemeral_gb": 1, "swap": 0, "rxtx_factor": 1.0, "is_public": True,
          "disabled": False, "description": None, "extra_specs": {"hw:cpu_policy": "shared"}}
VIF = {"port_id": "p1", "mac": "fa:16:3e:00:00:01", "network_id": "n1", "network_name": "private",
       "subnet_id": "s1", "cidr": "10.0.0.0/24", "gateway": "10.0.0.1", "ip": "10.0.0.5",
       "ip_version": 4, "dns_nameservers": [], "mtu": 1450}
CREATED = datetime.datetime(2026, 1, 2, 3, 4, 5, 678901)


def _record():
    from stratus.conductor.db import instances, models, tags
    from stratus.conductor.db.session import transaction

    with transaction() as session:
        instances.instance_create(session, {
            "uuid": ACTIVE, "display_name": "Web Server_1", "project_id": "default",
            "user_id": "admin", "vm_state": "active", "power_state": 1, "host": "pin-host",
            "node": "pin-node", "flavor": FLAVOR, "image_ref": "http://x/images/img-1",
            "metadata": {"role": "web"}, "key_name": "key1", "access_ip_v4": "192.0.2.1",
            "config_drive": "True", "locked": True, "locked_by": "admin",
            "locked_reason": "maintenance", "description": "a web server",
            "user_data": "aGk=", "reservation_id": "r-pin", "launch_index": 0,
            "created_at": CREATED,
            "launched_at": CREATED + datetime.timedelta(seconds=20),
            "system_metadata": {"auto_disk_config": True}, "network_info": [VIF]})
        instances.instance_create(session, {
            "uuid": ERROR, "display_name": "broken", "project_id": "default",
            "user_id": "admin", "vm_state": "error", "availability_zone": "az1",
            "flavor": FLAVOR, "created_at": CREATED - datetime.timedelta(hours=1)})
        # Fixed ids for the instance names; updated_at given, or the
        # update's onupdate would set it to now.
        for uuid, row_id, updated in ((ACTIVE, 10, CREATED + datetime.timedelta(seconds=30)),
                                      (ERROR, 11, None)):
            session.execute(update(models.Instance).where(models.Instance.uuid == uuid)
                            .values(id=row_id, updated_at=updated))
        instances.fault_create(session, ERROR, 500, "No valid host was found.", "Traceback...")
        session.execute(update(models.InstanceFault).values(created_at=CREATED))
        tags.add(session, ACTIVE, "blue")


@pytest.fixture
def servers(stack, roles):
    from stratus.common.context import get_admin_context
    from stratus.conductor.rpcapi import ConductorAPI

    ConductorAPI().service_update(get_admin_context(), "pin-host", "nova-compute",
                                  "compute.pin-host")
    _record()


@pytest.mark.parametrize("version", ["2.1", "2.47", "2.96"])
@pytest.mark.parametrize("who", ["admin", "member"])
def test_detail_list_and_show_are_pinned(client, servers, monkeypatch, who, version):
    if who == "member":
        act_as(monkeypatch, "admin", "default", ("member",))
    listed = client.get("/v2.1/servers/detail", headers=mv(version))
    assert listed.status_code == 200, listed.get_json()
    body = listed.get_json()
    assert body == PINNED[f"{who} {version}"]
    for server in body["servers"]:
        shown = client.get(f"/v2.1/servers/{server['id']}", headers=mv(version)).get_json()
        # From 2.71 a server shown alone also has its server groups (not in lists).
        assert shown["server"] == dict(server, **({"server_groups": []}
                                                  if version == "2.96" else {}))
