#!/usr/bin/env python3
"""Build a small guest image that really boots to a login prompt, from
Debian's packages only: Debian's kernel, BusyBox (static) as the whole
userland in an initramfs, and SYSLINUX on a FAT disk that SeaBIOS boots.

    tools/guest_image.py OUT.qcow2

The guest logs its boot and a `login:` prompt on its serial port (ttyS0)
and on its screen (tty1): log in as `root`, no password. It loads the
virtio drivers it needs for a disk, a NIC and a CD-ROM (a config drive).

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
exec /sbin/init
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
    files = {"init": INIT, "etc/inittab": INITTAB, "etc/modules": "\n".join(MODULES) + "\n",
             "etc/passwd": "root::0:0:root:/root:/bin/sh\n", "etc/group": "root:x:0:\n",
             "etc/issue": "Stratus guest \\n \\l\n\n"}
    for name, text in files.items():
        (tree / name).write_text(text)
    (tree / "init").chmod(0o755)
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
