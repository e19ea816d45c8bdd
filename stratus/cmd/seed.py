"""Operator helpers shared by the CLI and the all-in-one: flavors and
images through the conductor (never the database directly)."""
import hashlib
import json
import subprocess
import uuid
from pathlib import Path

from stratus.config import get_settings
from stratus.common import exception
from stratus.common.context import get_admin_context
from stratus.common.vocabulary import ImageStatus

DEFAULT_FLAVORS = (
    ("1", "m1.tiny", 1, 512, 1),
    ("2", "m1.small", 1, 2048, 20),
    ("3", "m1.medium", 2, 4096, 40),
)


def create_flavor(name, vcpus, ram, disk, flavorid=None, ephemeral=0, swap=0, is_public=True):
    from stratus.conductor.rpcapi import ConductorAPI

    values = {"flavorid": flavorid, "name": name, "vcpus": vcpus, "memory_mb": ram,
              "root_gb": disk, "ephemeral_gb": ephemeral, "swap": swap, "is_public": is_public}
    return ConductorAPI().flavor_create(get_admin_context(), values)


def find_flavor(ref):
    """The flavor whose id, else whose name, is `ref` (public or not)."""
    from stratus.conductor.rpcapi import ConductorAPI

    api, ctxt = ConductorAPI(), get_admin_context()
    try:
        return api.flavor_get(ctxt, ref)
    except exception.FlavorNotFound:
        named = [f for f in api.flavor_get_all(ctxt, is_public=None) if f.name == ref]
        if not named:
            raise
        return named[0]


def delete_flavor(ref):
    """Delete the flavor named by id or name; returns it."""
    from stratus.conductor.rpcapi import ConductorAPI

    found = find_flavor(ref)
    ConductorAPI().flavor_delete(get_admin_context(), found.flavorid)
    return found


def seed_flavors():
    """Nova's classic defaults; already present ones are kept."""
    for flavorid, name, vcpus, ram, disk in DEFAULT_FLAVORS:
        try:
            create_flavor(name, vcpus, ram, disk, flavorid)
        except exception.FlavorExists:
            pass


def _disk_format(path):
    try:
        out = subprocess.run(["qemu-img", "info", "--output=json", str(path)],
                             capture_output=True, text=True, timeout=30, check=True).stdout
        return json.loads(out)["format"]
    except (OSError, subprocess.SubprocessError, ValueError, KeyError):
        return "qcow2" if Path(path).suffix == ".qcow2" else "raw"


def _copy_and_hash(source, target, chunk=1 << 20):
    """Copy in chunks, computing Glance's md5 checksum on the way (images
    are gigabytes: never read one whole into memory)."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(source, "rb") as src, open(target, "wb") as dst:
        while block := src.read(chunk):
            digest.update(block)
            dst.write(block)
    return digest.hexdigest()


def import_image(path, name=None, image_id=None):
    """Copy a file into the image store and record it."""
    from stratus.conductor.rpcapi import ConductorAPI

    path = Path(path)
    image_id = image_id or str(uuid.uuid4())
    store = get_settings().images_path
    store.mkdir(parents=True, exist_ok=True)
    fmt = _disk_format(path)
    target = store / f"{image_id}.{fmt}"
    checksum = _copy_and_hash(path, target)
    values = {"id": image_id, "name": name or path.stem, "disk_format": fmt,
              "container_format": "bare", "size": target.stat().st_size,
              "checksum": checksum, "file": target.name, "status": ImageStatus.ACTIVE}
    return ConductorAPI().image_create(get_admin_context(), values)


def seed_image(name="stratus-empty"):
    """A small empty qcow2 disk: boots to "No bootable device" on QEMU,
    which is enough for life cycle and console work."""
    from stratus.conductor.rpcapi import ConductorAPI

    if ConductorAPI().image_get_all(get_admin_context(), {"name": name}):
        return None
    scratch = get_settings().state_dir / f"{name}.qcow2"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(["qemu-img", "create", "-f", "qcow2", str(scratch), "64M"],
                       capture_output=True, check=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        scratch = scratch.with_suffix(".raw")
        with open(scratch, "wb") as handle:
            handle.truncate(1 << 20)
    try:
        return import_image(scratch, name)
    finally:
        scratch.unlink(missing_ok=True)


DEFAULT_NETWORK = "default"


def seed_network():
    """The all-in-one's `default` network, shared by every project, with
    one subnet (STRATUS_DEFAULT_NETWORK_CIDR): what `--network default` and
    a boot that names no network use."""
    from stratus.conductor.rpcapi import ConductorAPI

    if ConductorAPI().net_list(get_admin_context(), "network", {"name": DEFAULT_NETWORK}):
        return None
    return create_network(DEFAULT_NETWORK, get_settings().default_network_cidr)[0]


def create_network(name, cidr, shared=True):
    """(network, subnet): a network of the admin project with one subnet."""
    from stratus.conductor.rpcapi import ConductorAPI

    conductor, admin = ConductorAPI(), get_admin_context()
    network = conductor.net_create(admin, "network", {"name": name, "shared": shared})
    try:
        subnet = conductor.net_create(admin, "subnet", {"network_id": network["id"],
                                                        "name": name, "cidr": cidr})
    except Exception:
        conductor.net_delete(admin, "network", network["id"])  # no network without its subnet
        raise
    return network, subnet


GUEST_IMAGE = "stratus-guest"


def seed_guest_image():
    """The image that really boots (a login prompt on its console), when
    `make run` built it for real guests (tools/guest_image.py writes it
    to the state directory); imported once."""
    from stratus.conductor.rpcapi import ConductorAPI

    path = get_settings().state_dir / f"{GUEST_IMAGE}.qcow2"
    if not path.is_file() or ConductorAPI().image_get_all(get_admin_context(),
                                                          {"name": GUEST_IMAGE}):
        return None
    return import_image(path, GUEST_IMAGE)
