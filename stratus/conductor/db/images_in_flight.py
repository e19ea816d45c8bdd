"""The image a snapshot or a shelve is writing, named in the instance's
system_metadata while it is written (stratus.compute.snapshot and shelve): found
and forgotten when the work stopped halfway."""
from stratus.conductor.db import catalog
from stratus.conductor.db.models import Image
from stratus.common.vocabulary import ImageStatus


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
    if image is not None and image.status != ImageStatus.ACTIVE:
        catalog.image_delete(session, image_id)
    session.flush()
    return image_id
