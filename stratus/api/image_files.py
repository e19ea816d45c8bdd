"""Image data the image API receives (Glance's PUT /v2/images/{id}/file),
written where compute hosts read images from: `<id>.<disk format>` under
settings.images_path, with Glance's md5 checksum and sha512 os_hash."""
import hashlib
import os
from pathlib import Path

from stratus.config import get_settings

_CHUNK = 1 << 20
HASH_ALGO = "sha512"


def store(image_id, disk_format, stream):
    """Copy `stream` into the store; the record's values {file, size,
    checksum, os_hash_algo, os_hash_value}. A partial upload leaves
    nothing: the data goes to a hidden file renamed only once complete."""
    store_path = get_settings().images_path
    store_path.mkdir(parents=True, exist_ok=True)
    staged = store_path / f".{image_id}.upload"
    md5, sha = hashlib.md5(usedforsecurity=False), hashlib.new(HASH_ALGO)
    size = 0
    try:
        with open(staged, "wb") as handle:
            while block := stream.read(_CHUNK):
                md5.update(block)
                sha.update(block)
                handle.write(block)
                size += len(block)
        name = f"{image_id}.{disk_format}"
        os.replace(staged, store_path / name)
    finally:
        staged.unlink(missing_ok=True)
    return {"file": name, "size": size, "checksum": md5.hexdigest(),
            "os_hash_algo": HASH_ALGO, "os_hash_value": sha.hexdigest()}


def remove(file_name):
    """Remove an image's file (gone already is fine), never one outside the store."""
    if not file_name:
        return
    store_path = get_settings().images_path.resolve()
    path = Path(store_path, file_name).resolve()
    if path.parent == store_path:
        path.unlink(missing_ok=True)
