"""The real OpenStack clients, unchanged, drive the distributed cloud:
python-openstackclient, openstacksdk and python-novaclient as published,
run as subprocesses whose only configuration is the admin's openrc.
Each flow checks what the client printed and exited with, and what the
API then holds; a client release that stops working with Stratus fails
here.

One server, booted with `openstack server create --wait` (no network),
serves the openstack client's server flows, which run in file order:
the last of them deletes it with `openstack server delete --wait` (the
fixture removes it if an earlier failure left it)."""
import hashlib
import json
import re
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization

from tests.functional.clients import (created_server, nova_table, osc, osc_json, run,
                                      unique_name, wait_gone)

LATEST = {"OpenStack-API-Version": "compute latest"}


# openstack: servers

@pytest.fixture(scope="module")
def server(cloud, env, names):
    """`openstack server create ... NAME --wait`: its output."""
    yield from created_server(cloud, env, names, "server")


def test_server_create_with_no_network(cloud, server, names):
    assert server["status"] == "ACTIVE" and server["addresses"] == {}
    assert server["flavor"]["original_name"] == names[0]
    assert server["image"] == f"{names[1]} ({cloud.image_id})"
    on_api = cloud.api("GET", f"/servers/{server['id']}", headers=LATEST).json()["server"]
    assert on_api["status"] == "ACTIVE" and on_api["addresses"] == {}
    assert on_api["server_groups"] == []
    assert on_api["name"] == server["name"] and on_api["image"]["id"] == cloud.image_id
    assert on_api["OS-EXT-SRV-ATTR:host"] in ("ft-a", "ft-b")


def test_server_list_and_show(cloud, env, server, names):
    listed = osc_json(env, "server", "list")
    assert {row["ID"] for row in listed} == \
        {s["id"] for s in cloud.api("GET", "/servers").json()["servers"]}
    row = next(row for row in listed if row["ID"] == server["id"])
    assert (row["Name"], row["Status"], row["Networks"], row["Flavor"], row["Image"]) == \
        (server["name"], "ACTIVE", {}, *names)

    on_api = cloud.api("GET", f"/servers/{server['id']}", headers=LATEST).json()["server"]
    long = next(row for row in osc_json(env, "server", "list", "--long")
                if row["ID"] == server["id"])
    assert (long["Host"], long["Availability Zone"], long["Power State"], long["Image ID"]) == \
        (on_api["OS-EXT-SRV-ATTR:host"], "nova", 1, cloud.image_id)

    shown = osc_json(env, "server", "show", server["name"])  # by name
    assert (shown["id"], shown["status"], shown["OS-EXT-SRV-ATTR:host"]) == \
        (server["id"], "ACTIVE", on_api["OS-EXT-SRV-ATTR:host"])


# Each command and the status the API shows once it is done (OSC only
# waits for reboot).
POWER_ACTIONS = [("stop", "SHUTOFF"), ("start", "ACTIVE"), ("reboot", "ACTIVE"),
                 ("pause", "PAUSED"), ("unpause", "ACTIVE"), ("suspend", "SUSPENDED"),
                 ("resume", "ACTIVE")]


def test_server_power_actions(cloud, env, server):
    sid = server["id"]
    for command, status in POWER_ACTIONS:
        osc(env, "server", command, sid, *(["--wait"] if command == "reboot" else []))
        assert cloud.wait_status(sid, status)["OS-EXT-STS:vm_state"] == status.lower().replace(
            "shutoff", "stopped")
    actions = cloud.api("GET", f"/servers/{sid}/os-instance-actions").json()["instanceActions"]
    assert [a["action"] for a in actions][:len(POWER_ACTIONS)] == \
        [command for command, _ in reversed(POWER_ACTIONS)]


def test_server_event_list(cloud, env, server):
    events = osc_json(env, "server", "event", "list", server["id"])
    actions = cloud.api("GET", f"/servers/{server['id']}/os-instance-actions") \
        .json()["instanceActions"]
    assert [(e["Request ID"], e["Action"]) for e in events] == \
        [(a["request_id"], a["action"]) for a in actions]
    assert events[-1]["Action"] == "create"


def test_an_action_this_cloud_lacks_is_a_clean_error(cloud, env, server):
    """A crash dump is not built (libvirt's NMI injection is not wired):
    Nova's answer for an unsupported action (501), and the client says so,
    with no traceback."""
    done = osc(env, "server", "dump", "create", server["id"], ok=False)
    assert done.returncode == 1
    assert "501" in done.stderr and "The requested functionality is not supported." in done.stderr
    assert "Traceback" not in done.stderr
    reply = cloud.api("POST", f"/servers/{server['id']}/action",
                      json={"trigger_crash_dump": None},
                      headers={"OpenStack-API-Version": "compute 2.17"})
    assert reply.status_code == 501
    assert reply.json() == {"notImplemented": {
        "code": 501, "message": "The requested functionality is not supported."}}
    on_api = cloud.wait_status(server["id"], "ACTIVE")
    assert on_api["OS-EXT-SRV-ATTR:host"] == server["OS-EXT-SRV-ATTR:host"]


def test_server_delete_waits_untilwait_gone(cloud, env, server):
    osc(env, "server", "delete", "--wait", server["id"])
    assert cloud.api("GET", f"/servers/{server['id']}").status_code == 404
    shown = osc(env, "server", "show", server["name"], ok=False)
    assert shown.returncode == 1 and f"No Server found for {server['name']}" in shown.stderr


# openstack: the catalog and the admin's views

def test_flavor_create_show_list_delete(cloud, env):
    name = unique_name("flavor")
    created = osc_json(env, "flavor", "create", "--vcpus", "2", "--ram", "96", "--disk", "1",
                       name)
    try:
        on_api = cloud.api("GET", f"/flavors/{created['id']}").json()["flavor"]
        assert (on_api["name"], on_api["vcpus"], on_api["ram"], on_api["disk"]) == \
            (name, 2, 96, 1)
        shown = osc_json(env, "flavor", "show", name)
        assert (shown["id"], shown["vcpus"], shown["ram"]) == (created["id"], 2, 96)
        listed = osc_json(env, "flavor", "list", "--all")
        everything = cloud.api("GET", "/flavors/detail?is_public=None").json()["flavors"]
        assert {row["ID"] for row in listed} == {f["id"] for f in everything}
        osc(env, "flavor", "delete", name)
        assert cloud.api("GET", f"/flavors/{created['id']}").status_code == 404
    finally:
        cloud.api("DELETE", f"/flavors/{created['id']}")


def test_image_list_and_show(cloud, env, names):
    listed = osc_json(env, "image", "list")
    assert {row["ID"] for row in listed} == \
        {i["id"] for i in cloud.api("GET", "/images").json()["images"]}
    shown = osc_json(env, "image", "show", names[1])
    assert (shown["id"], shown["status"], shown["disk_format"], shown["size"]) == \
        (cloud.image_id, "active", "raw", 1 << 20)


def test_image_create_upload_set_delete(cloud, env, tmp_path):
    """`openstack image create --file`: queued, then the data uploaded
    (active, Glance's size and md5); `image set --property` and `image
    delete` through the image API, seen by the compute proxy."""
    name = unique_name("image")
    data = tmp_path / "disk.raw"
    data.write_bytes(b"stratus" * 4096)
    created = osc_json(env, "image", "create", "--disk-format", "raw", "--container-format",
                       "bare", "--min-ram", "64", "--property", "os_distro=cirros",
                       "--file", str(data), name)
    try:
        shown = osc_json(env, "image", "show", name)
        assert (shown["id"], shown["status"], shown["size"], shown["min_ram"]) == \
            (created["id"], "active", data.stat().st_size, 64)
        assert shown["checksum"] == hashlib.md5(data.read_bytes()).hexdigest()
        osc(env, "image", "set", "--property", "hw_disk_bus=virtio", "--name", name + "-x",
            name)
        proxied = cloud.api("GET", f"/images/{created['id']}",
                            headers={"OpenStack-API-Version": "compute 2.35"}).json()["image"]
        # (openstacksdk adds owner_specified.* properties of its own)
        assert (proxied["name"], proxied["status"]) == (name + "-x", "ACTIVE")
        assert {k: proxied["metadata"].get(k) for k in ("os_distro", "hw_disk_bus")} == \
            {"os_distro": "cirros", "hw_disk_bus": "virtio"}
        osc(env, "image", "delete", name + "-x")
        assert cloud.api("GET", f"/images/{created['id']}").status_code == 404
    finally:
        cloud.api("DELETE", f"/images/{created['id']}",
                  headers={"OpenStack-API-Version": "compute 2.35"})


def test_hypervisors_services_and_zones(cloud, env):
    hypervisors = osc_json(env, "hypervisor", "list")
    on_api = cloud.api("GET", "/os-hypervisors").json()["hypervisors"]
    assert sorted(h["Hypervisor Hostname"] for h in hypervisors) == \
        sorted(h["hypervisor_hostname"] for h in on_api)
    assert {"ft-a", "ft-b"} <= {h["Hypervisor Hostname"] for h in hypervisors if h["State"] == "up"}

    services = osc_json(env, "compute", "service", "list")
    assert sorted((s["Binary"], s["Host"]) for s in services) == sorted(
        (s["binary"], s["host"]) for s in cloud.api("GET", "/os-services").json()["services"])
    assert {("ft-a", "enabled", "up"), ("ft-b", "enabled", "up")} <= \
        {(s["Host"], s["Status"], s["State"]) for s in services}
    # Clients filter on Nova's binary names.
    computes = osc_json(env, "compute", "service", "list", "--service", "nova-compute")
    assert {"ft-a", "ft-b"} <= {s["Host"] for s in computes}
    assert {s["Binary"] for s in computes} == {"nova-compute"}
    assert {"nova-conductor", "nova-scheduler"} <= {s["Binary"] for s in services}

    zones = osc_json(env, "availability", "zone", "list", "--compute")
    assert {"Zone Name": "nova", "Zone Status": "available"} in zones


def test_limits_show_absolute(cloud, env):
    limits = {row["Name"]: row["Value"] for row in osc_json(env, "limits", "show", "--absolute")}
    on_api = cloud.api("GET", "/limits").json()["limits"]["absolute"]
    assert (limits["max_total_instances"], limits["max_total_cores"],
            limits["max_total_ram_size"], limits["max_total_keypairs"],
            limits["total_instances_used"]) == \
        (on_api["maxTotalInstances"], on_api["maxTotalCores"], on_api["maxTotalRAMSize"],
         on_api["maxTotalKeypairs"], on_api["totalInstancesUsed"])


def test_keypair_create_list_delete(cloud, env):
    name = unique_name("key")
    private = osc(env, "keypair", "create", name).stdout
    try:
        # OSC makes the key itself and sends the public half.
        on_api = cloud.api("GET", f"/os-keypairs/{name}").json()["keypair"]
        public = serialization.load_ssh_private_key(private.encode(), None).public_key() \
            .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        assert on_api["public_key"].split()[:2] == public.decode().split()
        listed = {row["Name"]: row["Fingerprint"] for row in osc_json(env, "keypair", "list")}
        assert listed[name] == on_api["fingerprint"]
        osc(env, "keypair", "delete", name)
        assert cloud.api("GET", f"/os-keypairs/{name}").status_code == 404
    finally:
        cloud.api("DELETE", f"/os-keypairs/{name}")


# openstacksdk

SDK_FLOW = """
import json, sys
import openstack

flavor_name, image_name, name = sys.argv[1:]
conn = openstack.connect()  # from the OS_* variables
flavor = conn.compute.find_flavor(flavor_name, ignore_missing=False)
image = conn.image.find_image(image_name, ignore_missing=False)
server = conn.compute.create_server(name=name, flavor_id=flavor.id, image_id=image.id,
                                    networks="none")
server = conn.compute.wait_for_server(server, status="ACTIVE", interval=0.2, wait=60)
print(json.dumps({"id": server.id, "status": server.status, "host": server.compute_host}))
sys.stdout.flush()
conn.compute.delete_server(server)
conn.compute.wait_for_delete(server, interval=0.2, wait=60)
"""


def test_openstacksdk_creates_waits_and_deletes(cloud, env, names):
    name = unique_name("sdk")
    done = subprocess.run([sys.executable, "-c", SDK_FLOW, *names, name], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    booted = json.loads(done.stdout)
    assert booted["status"] == "ACTIVE" and booted["host"] in ("ft-a", "ft-b")
    assert cloud.api("GET", f"/servers/{booted['id']}").status_code == 404
    assert cloud.sql("SELECT display_name, vm_state, deleted <> 0 FROM instances "
                     "WHERE uuid = %s", booted["id"]) == [(name, "deleted", True)]


# novaclient

def test_novaclient_boot_list_show_delete(cloud, env, names):
    name = unique_name("nova")
    booted = nova_table(run(env, "nova", "boot", "--flavor", names[0], "--image", names[1],
                            "--nic", "none", name).stdout)
    sid = booted["id"]
    try:
        assert booted["name"] == name and booted["adminPass"]
        cloud.wait_status(sid, "ACTIVE")
        listed = run(env, "nova", "list").stdout
        assert re.search(rf"\| {sid} \| {name} +\| ACTIVE +\|", listed), listed
        shown = nova_table(run(env, "nova", "show", name).stdout)
        assert (shown["id"], shown["status"], shown["OS-EXT-SRV-ATTR:host"]) == (
            sid, "ACTIVE", cloud.server(sid)["OS-EXT-SRV-ATTR:host"])
        deleted = run(env, "nova", "delete", name).stdout
        assert f"Request to delete server {name} has been accepted." in deleted
        wait_gone(cloud, sid)
    finally:
        if cloud.server(sid) is not None:
            cloud.api("DELETE", f"/servers/{sid}")
            wait_gone(cloud, sid)
