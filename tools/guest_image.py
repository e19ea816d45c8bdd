#!/usr/bin/env python3
"""Build a small guest image that really boots to a login prompt, from
Debian's packages only: Debian's kernel, BusyBox (static) as the whole
userland in an initramfs, and SYSLINUX on a FAT disk that SeaBIOS boots.

    tools/guest_image.py OUT.qcow2

The guest logs its boot and a `login:` prompt on its serial port (ttyS0)
and on its screen (tty1): log in as `root`, no password. It loads the
virtio drivers it needs for a disk, a NIC and a CD-ROM (a config drive).

Before the prompt, /etc/stratus-init does a small cloud-init's work and
logs each step on the console ("stratus-init: ..."): eth0 configured by
DHCP (BusyBox udhcpc), the config drive (label config-2) mounted at
/mnt/config, its public key made root's authorized key, its hostname
set, and its user data run in the background when it is a script.

The packages are fetched with `apt-get download` and unpacked in a
scratch directory: nothing is installed on this machine but the tools
(syslinux, mtools, dosfstools, cpio, kmod, qemu-utils; see DEBS)."""
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DEBS = ("syslinux", "syslinux-common", "mtools", "dosfstools", "cpio", "kmod", "qemu-utils")
# Drivers the guest loads at boot (with what they depend on, from modules.dep).
MODULES = ("virtio_pci", "virtio_blk", "virtio_net", "ata_piix", "sr_mod", "isofs")
DISK_KIB = 64 * 1024

INIT = """#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for module in $(cat /etc/modules); do modprobe "$module" 2>/dev/null; done
hostname stratus-guest
/etc/stratus-init
exec /sbin/init
"""
# Output goes to the console (the serial port, where the cloud reads it).
STRATUS_INIT = r"""#!/bin/sh
say() { echo "stratus-init: $*"; }
ifconfig lo 127.0.0.1 up && say "lo up"
if ifconfig eth0 up 2>/dev/null; then
    say "eth0 up, asking DHCP"
    # -b: carry on booting if no lease comes within 10 tries of 2 s.
    udhcpc -i eth0 -s /etc/udhcpc.script -t 10 -T 2 -b -O mtu
else
    say "no eth0"
fi
mkdir -p /mnt/config
for tries in 1 2 3 4 5; do
    for dev in /dev/sr0 /dev/sr1 /dev/hdd /dev/hdc /dev/hdb /dev/hda; do
        [ -b "$dev" ] && mount -t iso9660 -o ro "$dev" /mnt/config 2>/dev/null && break 2
    done
    sleep 1
done
latest=/mnt/config/openstack/latest
if [ ! -f "$latest/meta_data.json" ]; then
    say "no config drive"
    exit 0
fi
say "config drive $dev mounted at /mnt/config"
meta=$(cat "$latest/meta_data.json")
name=$(echo "$meta" | sed -n 's/.*"hostname": *"\([^"]*\)".*/\1/p')
[ -n "$name" ] && hostname "$name" && say "hostname $name"
keys=$(echo "$meta" | sed -n 's/.*"keys": *\[//p' | grep -o '"data": *"[^"]*"' |
       sed 's/"data": *"//; s/"$//; s/\\n$//')
if [ -n "$keys" ]; then
    mkdir -p /root/.ssh && chmod 700 /root/.ssh
    echo "$keys" > /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys
    say "public key written to /root/.ssh/authorized_keys"
fi
if [ -f "$latest/user_data" ] && [ "$(head -c 2 "$latest/user_data")" = "#!" ]; then
    cp "$latest/user_data" /tmp/user_data && chmod 755 /tmp/user_data
    /tmp/user_data > /dev/console 2>&1 &
    say "user data started (pid $!)"
elif [ -f "$latest/user_data" ]; then
    say "user data is not a script: not run"
fi
"""
# udhcpc's hook: its environment holds the lease ($ip, $subnet, ...).
UDHCPC_SCRIPT = r"""#!/bin/sh
case "$1" in
deconfig)
    ifconfig "$interface" 0.0.0.0 up
    ;;
bound|renew)
    ifconfig "$interface" "$ip" netmask "${subnet:-255.255.255.0}" up
    [ -n "$mtu" ] && ifconfig "$interface" mtu "$mtu"
    if [ -n "$router" ]; then
        while route del default gw 0.0.0.0 dev "$interface" 2>/dev/null; do :; done
        route add default gw "${router%% *}" dev "$interface"
    fi
    : > /etc/resolv.conf
    for server in $dns; do echo "nameserver $server" >> /etc/resolv.conf; done
    [ -n "$domain" ] && echo "search $domain" >> /etc/resolv.conf
    echo "stratus-init: $interface got $ip netmask $subnet router $router dns $dns"
    ;;
esac
"""
INITTAB = """::sysinit:/bin/echo "Stratus guest, Linux $(uname -r)"
ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100
tty1::respawn:/sbin/getty 38400 tty1
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/umount -a -r
"""
SYSLINUX_CFG = """DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL /vmlinuz
  INITRD /initrd.gz
  APPEND console=tty0 console=ttyS0,115200
"""


def run(*args, **kwargs):
    return subprocess.run([str(a) for a in args], check=True, **kwargs)


def fetch(names, into):
    """Download packages (not installed) and unpack each into `into`."""
    run("apt-get", "download", *names, cwd=into, stdout=subprocess.DEVNULL)
    root = into / "root"
    for deb in sorted(into.glob("*.deb")):
        run("dpkg-deb", "-x", deb, root)
    return root


def kernel_package():
    """linux-image-amd64's versioned package (the kernel it depends on)."""
    depends = run("apt-cache", "depends", "linux-image-amd64", capture_output=True,
                  text=True).stdout
    return re.search(r"Depends: (linux-image-[\w.-]+)", depends).group(1)


def module_closure(root, kver):
    """The module files MODULES need, as paths under lib/modules/KVER."""
    run("depmod", "-b", root, kver)
    deps = {}
    for line in (root / "lib/modules" / kver / "modules.dep").read_text().splitlines():
        path, _sep, needs = line.partition(":")
        deps[Path(path).name.split(".")[0].replace("-", "_")] = (path, needs.split())
    by_path = {path: needs for path, needs in deps.values()}
    wanted, todo = set(), [deps[name][0] for name in MODULES if name in deps]
    while todo:
        path = todo.pop()
        if path not in wanted:
            wanted.add(path)
            todo.extend(by_path.get(path, []))
    return sorted(wanted)


def initramfs(root, kver, out):
    tree = out.parent / "initramfs"
    for folder in ("bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "etc", "root",
                   "tmp", "mnt"):
        (tree / folder).mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "bin/busybox", tree / "bin/busybox")
    modules = tree / "lib/modules" / kver
    for path in module_closure(root, kver):
        (modules / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / "lib/modules" / kver / path, modules / path)
    for name in ("modules.dep", "modules.alias", "modules.builtin"):
        source = root / "lib/modules" / kver / name
        if source.exists():
            shutil.copy(source, modules / name)
    files = {"init": INIT, "etc/stratus-init": STRATUS_INIT, "etc/udhcpc.script": UDHCPC_SCRIPT,
             "etc/inittab": INITTAB, "etc/modules": "\n".join(MODULES) + "\n",
             "etc/passwd": "root::0:0:root:/root:/bin/sh\n", "etc/group": "root:x:0:\n",
             "etc/issue": "Stratus guest \\n \\l\n\n"}
    for name, text in files.items():
        (tree / name).write_text(text)
    for name in ("init", "etc/stratus-init", "etc/udhcpc.script"):
        (tree / name).chmod(0o755)
    listing = "\n".join(str(p.relative_to(tree)) for p in sorted(tree.rglob("*")))
    archive = run("cpio", "-o", "-H", "newc", "--quiet", cwd=tree, input=listing.encode(),
                  capture_output=True).stdout
    out.write_bytes(gzip.compress(archive, compresslevel=6))


def disk(kernel, initrd, out_qcow2, scratch):
    """A FAT disk with SYSLINUX in its boot sector, the kernel and the
    initramfs; converted to qcow2 (what the image store keeps)."""
    raw = scratch / "disk.raw"
    run("mkfs.vfat", "-C", raw, DISK_KIB, stdout=subprocess.DEVNULL)
    run("syslinux", "--install", raw)
    cfg = scratch / "syslinux.cfg"
    cfg.write_text(SYSLINUX_CFG)
    env = {**os.environ, "MTOOLS_SKIP_CHECK": "1"}
    for source, name in ((kernel, "vmlinuz"), (initrd, "initrd.gz"), (cfg, "syslinux.cfg")):
        run("mcopy", "-i", raw, source, f"::/{name}", env=env)
    run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw, out_qcow2)


def build(out):
    with tempfile.TemporaryDirectory(prefix="stratus-guest-") as scratch:
        scratch = Path(scratch)
        package = kernel_package()
        root = fetch([package, "busybox-static"], scratch)
        kver = package.removeprefix("linux-image-")
        initrd = scratch / "initrd.gz"
        initramfs(root, kver, initrd)
        disk(root / "boot" / f"vmlinuz-{kver}", initrd, out, scratch)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build(Path(sys.argv[1]).resolve())
