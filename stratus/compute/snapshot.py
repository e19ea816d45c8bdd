"""Snapshots (createImage) on a compute host, and the image writing a
shelve shares with them.

The endpoint first claims the task_state the API set, with a
compare-and-swap to a state of its own: a second delivery of the message
finds that state gone and does nothing. The image being written is
named in system_metadata meanwhile, so that start-up recovery
(stratus.compute.recovery) can remove it."""
import logging

from stratus.common import exception
from stratus.common.endpoint import endpoint
from stratus.common.vocabulary import ImageStatus, SystemMetadata, TaskState
from stratus.compute import image_store
from stratus.compute.operation import Operation

LOG = logging.getLogger(__name__)

SNAPSHOT_EVENT = "compute_snapshot_instance"
# (claimed, captured, uploading) task_states of a snapshot.
SNAPSHOT_STEPS = (TaskState.IMAGE_SNAPSHOT, TaskState.IMAGE_PENDING_UPLOAD,
                  TaskState.IMAGE_UPLOADING)
# The system_metadata key naming the image a snapshot is writing.
_KEYS = (SystemMetadata.SNAPSHOT_IMAGE_ID,)


def without(metadata, keys):
    """`metadata` (system_metadata) less `keys`."""
    return {k: v for k, v in (metadata or {}).items() if k not in keys}


class Snapshot(Operation):
    """Snapshots, and the capture, upload and removal of their images."""

    @endpoint(since="1.3")
    def snapshot_instance(self, ctxt, instance, image_id):
        """Write the guest's disk to the image `image_id` (queued → saving
        → active); task_state image_snapshot_pending → ... → None."""
        event = self.event(ctxt, SNAPSHOT_EVENT)
        instance = self.claim(ctxt, instance, TaskState.IMAGE_SNAPSHOT_PENDING,
                              TaskState.IMAGE_SNAPSHOT, event,
                              {SystemMetadata.SNAPSHOT_IMAGE_ID: image_id})
        if instance is None:
            return
        try:
            self.capture(ctxt, instance, image_id, SNAPSHOT_STEPS)
            self.update(ctxt, instance.uuid, {
                "task_state": None, "power_state": self.power_state(instance),
                "system_metadata": without(instance.system_metadata, _KEYS)},
                expected_task_state=TaskState.IMAGE_UPLOADING, event=dict(event, result="Success"))
        except Exception as exc:
            self.failed(ctxt, instance, image_id, SNAPSHOT_STEPS, event, exc, _KEYS)
            raise

    @endpoint(since="1.4")
    def backup_instance(self, ctxt, instance, image_id, backup_type, rotation):
        """A snapshot into the backup image `image_id`, then the server's
        backups of `backup_type` beyond the `rotation` newest deleted
        (Nova's _rotate_backups)."""
        self.snapshot_instance(ctxt, instance, image_id)
        self.rotate_backups(ctxt, instance.uuid, backup_type, rotation)

    def rotate_backups(self, ctxt, instance_uuid, backup_type, rotation):
        wanted = {"image_type": "backup", "backup_type": backup_type,
                  "instance_uuid": instance_uuid}
        images = self.conductor_api.image_get_all(
            ctxt, {"properties": wanted, "sort_dir": "desc"})
        # Checked here too: a property filter an older conductor ignored
        # must not make this delete other images.
        backups = [image for image in images
                   if all(image.properties.get(k) == v for k, v in wanted.items())]
        for image in backups[rotation:]:
            LOG.info("Rotating out backup %s of %s", image.id, instance_uuid)
            self.delete_image_quietly(ctxt, image.id)

    def capture(self, ctxt, instance, image_id, steps):
        """Write the guest's disk to the image `image_id`, walking the
        task_state through `steps` (claimed, captured, uploading)."""
        claimed, captured, uploading = steps
        staged = image_store.staging_path(image_id)
        base = self.image_for(ctxt, instance)
        disk_format = self.driver.snapshot(ctxt, instance, base, staged)
        disk_format = disk_format or (base.disk_format if base else "raw")
        if captured != claimed:
            self.update(ctxt, instance.uuid, {"task_state": captured},
                        expected_task_state=claimed)
        self.update(ctxt, instance.uuid, {"task_state": uploading},
                    expected_task_state=captured)
        self.conductor_api.image_update(ctxt, image_id, {"status": ImageStatus.SAVING})
        values = image_store.store(image_id, staged, disk_format)
        self.conductor_api.image_update(ctxt, image_id, dict(values, status=ImageStatus.ACTIVE))

    def failed(self, ctxt, instance, image_id, steps, event, exc, keys):
        """The image is removed, the task_state cleared (and `keys` from
        system_metadata), an Error event and a fault say why; the server
        is otherwise left as it was."""
        self.delete_image_quietly(ctxt, image_id)
        values = {"task_state": None, "power_state": self.power_state(instance),
                  "system_metadata": without(instance.system_metadata, keys)}
        self.failures.save(ctxt, instance.uuid, event, exc, values, list(steps))

    def delete_image_quietly(self, ctxt, image_id):
        """Forget an image, record and file (a failed snapshot's, or a
        shelved image no longer needed); cleanup never raises."""
        try:
            record = self.conductor_api.image_get(ctxt, image_id)
            file_name = record.file
        except exception.ImageNotFound:
            file_name = None
        try:
            image_store.remove(image_id, file_name)
            self.conductor_api.image_delete(ctxt, image_id)
        except Exception:  # cleanup must not hide the error that caused it
            LOG.exception("Could not delete image %s", image_id)
