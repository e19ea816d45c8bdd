"""The snapshot a shelved server keeps (system_metadata shelved_image_id)
goes with the server when it is deleted, as Nova's compute API does it."""
import logging

from stratus.api import common, image_files
from stratus.common import exception
from stratus.common.vocabulary import SystemMetadata, VmState

LOG = logging.getLogger(__name__)


def delete_with(ctxt, instance):
    """Delete a shelved server's image, record and file; never raises (a
    failure here must not keep the server from being deleted)."""
    if instance.vm_state not in (VmState.SHELVED, VmState.SHELVED_OFFLOADED):
        return
    image_id = (instance.system_metadata or {}).get(SystemMetadata.SHELVED_IMAGE_ID)
    if not image_id:
        return
    try:
        image = common.conductor().image_get(ctxt, image_id)
        common.conductor().image_delete(ctxt, image_id)
    except exception.ImageNotFound:
        return
    except exception.StratusException:
        LOG.exception("Could not delete the shelved image %s of %s", image_id, instance.uuid)
        return
    image_files.remove(image.file)
