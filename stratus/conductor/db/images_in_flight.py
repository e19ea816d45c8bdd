"""The image a snapshot or a shelve is writing, named in the instance's
system_metadata while it is written (stratus.compute.snapshots): found
and forgotten when the work stopped halfway."""
from stratus.conductor.db import catalog
from stratus.conductor.db.models import Image
from stratus.common.objects import states

# task_state -> the system_metadata key naming the image being written.
IMAGE_KEYS = {states.IMAGE_SNAPSHOT_PENDING: "snapshot_image_id",
              states.IMAGE_SNAPSHOT: "snapshot_image_id",
              states.IMAGE_PENDING_UPLOAD: "snapshot_image_id",
              states.IMAGE_UPLOADING: "snapshot_image_id",
              states.SHELVING: "shelved_image_id",
              states.SHELVING_IMAGE_PENDING_UPLOAD: "shelved_image_id",
              states.SHELVING_IMAGE_UPLOADING: "shelved_image_id"}


def forget(session, row, key):
    """Drop the unfinished image named by `key` from the instance `row`
    and from the catalog (an active one is kept: the snapshot finished);
    its id, or None when there was none."""
    metadata = dict(row.system_metadata or {})
    image_id = metadata.pop(key, None)
    row.system_metadata = metadata
    if image_id is None:
        return None
    image = session.get(Image, image_id)
    if image is not None and image.status != "active":
        catalog.image_delete(session, image_id)
    session.flush()
    return image_id
