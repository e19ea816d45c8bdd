"""The image store as a compute host writes to it (snapshots, shelve):
files named `<image id>.<disk format>` under settings.images_path, with
Glance's size and md5 checksum, as stratus.cmd.seed imports them."""
import hashlib
import os
from pathlib import Path

from stratus.config import get_settings

_CHUNK = 1 << 20


def staging_path(image_id):
    """Where a snapshot is written before it is stored: a hidden file in
    the store itself, so that storing it is a rename on one filesystem."""
    store = get_settings().images_path
    store.mkdir(parents=True, exist_ok=True)
    return store / f".{image_id}.snapshot"


def store(image_id, staged, disk_format):
    """Move a staged snapshot into the store; returns the image record's
    values {file, size, checksum, disk_format}."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(staged, "rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    name = f"{image_id}.{disk_format}"
    target = get_settings().images_path / name
    os.replace(staged, target)
    return {"file": name, "size": target.stat().st_size, "checksum": digest.hexdigest(),
            "disk_format": disk_format}


def remove(image_id, file_name=None):
    """Remove an image's file and any staged snapshot of it (both may be gone)."""
    store_path = get_settings().images_path
    names = [f".{image_id}.snapshot"] + ([file_name] if file_name else [])
    for name in names:
        path = Path(store_path, name)
        # Never follow a record's file name out of the store.
        if path.resolve().parent == store_path.resolve():
            path.unlink(missing_ok=True)
