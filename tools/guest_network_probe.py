#!/usr/bin/env python3
"""Check that this host gives a real guest its network and config drive,
through the compute driver's own pieces (vif.py, config_drive.py,
config.domain_xml) and no cloud: a guest of the Stratus guest image
(tools/guest_image.py) on a NAT network of its own with a fixed address,
whose user data starts a web server the host then reaches.

    .venv/bin/python tools/guest_network_probe.py IMAGE.qcow2 [--ip 10.99.0.10]

Prints the time until the guest answered over HTTP and ping, and its
console's stratus-init lines; removes everything it made (domain,
network, files), pass or fail. Exit status 0 when the guest answered."""
import argparse
import base64
import ipaddress
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid as uuidlib
from pathlib import Path

import libvirt

from stratus.common.objects import Instance
from stratus.compute import config_drive
from stratus.compute.virt.libvirt import config as vconfig
from stratus.compute.virt.libvirt import qemu_img, vif

USER_DATA = """#!/bin/sh
mkdir -p /www
echo '{token}' > /www/index.html
busybox httpd -p 8000 -h /www && echo "stratus-probe: httpd on port 8000"
echo "stratus-probe: hostname $(hostname), root's key $(cat /root/.ssh/authorized_keys)"
"""


def parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("image", type=Path, help="a qcow2 from tools/guest_image.py")
    parser.add_argument("--uri", default="qemu:///system")
    parser.add_argument("--cidr", default="10.99.0.0/24")
    parser.add_argument("--ip", default="10.99.0.10")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds to wait")
    # As the driver's setting: KVM fails on some nested hosts, emulation does not.
    parser.add_argument("--virt-type", default=os.environ.get("STRATUS_LIBVIRT_VIRT_TYPE", ""),
                        choices=("", "kvm", "qemu"), help="empty: kvm where /dev/kvm is")
    return parser.parse_args()


def probe_instance(args, token):
    """An Instance as the conductor would send it: one port, a key, user data."""
    net = ipaddress.ip_network(args.cidr)
    port = {"port_id": str(uuidlib.uuid4()), "network_id": str(uuidlib.uuid4()),
            "mac": "fa:16:3e:" + ":".join(f"{b:02x}" for b in secrets.token_bytes(3)),
            "network_name": "probe", "subnet_id": str(uuidlib.uuid4()), "cidr": str(net),
            "gateway": str(next(net.hosts())), "ip": args.ip, "ip_version": 4,
            "dns_nameservers": [], "mtu": None}
    script = USER_DATA.format(token=token).encode()
    return Instance(uuid=str(uuidlib.uuid4()), display_name="network-probe", project_id="probe",
                    user_id="probe", vm_state="building", key_name="probe",
                    key_data="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIProbeKeyOnly probe",
                    user_data=base64.b64encode(script).decode(), network_info=[port])


def define(conn, instance, image, workdir, virt_type):
    overlay, drive = workdir / "disk", workdir / "disk.config"
    qemu_img.create_overlay(image.resolve(), "qcow2", overlay)
    config_drive.build(instance, drive)
    for port in instance.network_info:
        vif.plug(conn, instance, port)
    virt_type = virt_type or ("kvm" if os.path.exists("/dev/kvm") else "qemu")
    xml = vconfig.domain_xml(instance.uuid, f"stratus-probe-{instance.uuid[:8]}", 256, 1,
                             virt_type, (str(overlay), "qcow2"),
                             console_log=workdir / "console.log",
                             interfaces=vif.interfaces(instance), config_drive=drive)
    return conn.defineXML(xml)


def wait_for(url, token, deadline):
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if token in reply.read().decode(errors="replace"):
                    return True
        except OSError:
            pass
        time.sleep(1)
    return False


def run(args, conn, workdir):
    token = f"stratus-probe-{secrets.token_hex(4)}"
    instance = probe_instance(args, token)
    domain = define(conn, instance, args.image, workdir, args.virt_type)
    try:
        started = time.monotonic()
        domain.create()
        ok = wait_for(f"http://{args.ip}:8000/", token, started + args.timeout)
        took = time.monotonic() - started
        print(f"http://{args.ip}:8000/ {'answered' if ok else 'did not answer'} "
              f"after {took:.1f} s")
        # Debian's iputils-ping; BusyBox's ping would do as well.
        ping = subprocess.run(["ping", "-c1", "-W2", args.ip], capture_output=True, text=True)
        print(f"ping -c1 {args.ip}: {'ok' if ping.returncode == 0 else 'failed'} "
              f"{ping.stdout.strip().splitlines()[-1] if ping.stdout.strip() else ''}")
        log = workdir / "console.log"
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        for line in lines:
            if "stratus-" in line:
                print("  console:", line.strip())
        return ok and ping.returncode == 0
    finally:
        if domain.isActive():
            domain.destroy()
        domain.undefine()
        for port in instance.network_info:
            vif.unplug(conn, port)  # the last port takes the network


def main():
    args = parse()
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)  # raised, not printed
    conn = libvirt.open(args.uri)
    # QEMU runs as another user under qemu:///system: it must reach the files.
    workdir = Path(tempfile.mkdtemp(prefix="stratus-probe-"))
    workdir.chmod(0o755)
    try:
        return 0 if run(args, conn, workdir) else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
