"""Server actions that copy servers to images: createImage, createBackup, shelve,
shelveOffload, unshelve and rebuild. Parsing here; the checks and the conductor/compute calls as in
app.compute_actions (Nova's compute/api.py)."""
import flask
from marshmallow import ValidationError
from werkzeug.exceptions import BadRequest

from stratus.api import common, compute_api, disk_config, policy, server_build
from stratus.api.api import empty
from stratus.api.action_body import object_of, string
from stratus.api.compute_actions import check_state
from stratus.api.microversion import is_supported
from stratus.api.schemas.servers import validate_base64
from stratus.api.servers import shown
from stratus.common import boot_catalog, exception
from stratus.config import get_settings
from stratus.common.vocabulary import ImageStatus, SystemMetadata, TaskState, VmState

# Nova's allowed vm_states of each action (task_state None unless said).
_SNAPSHOT_FROM = (VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED)
_SHELVE_FROM = _SNAPSHOT_FROM
_UNSHELVE_FROM = (VmState.SHELVED, VmState.SHELVED_OFFLOADED)
_REBUILD_FROM = (VmState.ACTIVE, VmState.STOPPED, VmState.ERROR)


class UnshelveInvalidRequest(exception.Conflict):
    msg_fmt = ("Specifying an availability zone when unshelving server %(instance_uuid)s "
               "with status %(state)s is not supported. The server status must be "
               "SHELVED_OFFLOADED.")


def _metadata(name, value):
    object_of(name, value, value.keys() if isinstance(value, dict) else ())
    for key, item in value.items():
        string(f"{name}.{key}", key)
        string(f"{name}.{key}", item, min_length=0)
    return value


# createImage
def _create_image(ctxt, instance, value):
    body = object_of("createImage", value, ("name", "metadata"), ("name",))
    name = string("name", body["name"])
    metadata = _metadata("metadata", body.get("metadata") or {})
    return _image_accepted(snapshot(ctxt, instance, name, metadata))


def _image_accepted(image_id):
    """Nova's answer to an action that makes an image: its id in the
    body from 2.45, in the Location header before."""
    if is_supported("2.45"):
        return _accepted({"image_id": image_id})
    reply = empty(202)
    reply.headers["Location"] = f"{common.base_url()}/v2/images/{image_id}"
    return reply


# createBackup
BACKUP_RPC_VERSION = "1.4"  # the compute's backup_instance


def _create_backup(ctxt, instance, value):
    body = object_of("createBackup", value, ("name", "backup_type", "rotation", "metadata"),
                     ("name", "backup_type", "rotation"))
    name = string("name", body["name"])
    backup_type = string("backup_type", body["backup_type"])
    rotation = body["rotation"]
    if isinstance(rotation, str) and rotation.isdigit():
        rotation = int(rotation)  # Nova's non_negative_integer takes "2" too
    if isinstance(rotation, bool) or not isinstance(rotation, int) or rotation < 0:
        raise BadRequest(f"Invalid input for field/attribute rotation. Value: {rotation}. "
                         "It must be an integer >= 0.")
    metadata = _metadata("metadata", body.get("metadata") or {})
    return _image_accepted(backup(ctxt, instance, name, backup_type, rotation, metadata))


def backup(ctxt, instance, name, backup_type, rotation, metadata=None):
    """A snapshot marked image_type backup and `backup_type`; its host
    then keeps only the `rotation` newest backups of this server and
    type (Nova's backup). The image id."""
    _check(ctxt, instance, "createBackup", _SNAPSHOT_FROM)
    if not common.compute().can_send_version(BACKUP_RPC_VERSION):
        raise exception.VersionCapExceeded(role="compute", version=BACKUP_RPC_VERSION,
                                           cap=get_settings().compute_rpc_version_cap)
    properties = dict(metadata or {}, image_type="backup", backup_type=backup_type)
    image = _new_image(ctxt, instance, name, properties)
    _save_and_cast(ctxt, instance, image.id, "createBackup", TaskState.IMAGE_SNAPSHOT_PENDING,
                   lambda saved: common.compute().backup_instance(
                       ctxt, saved.host, saved, image.id, backup_type, rotation))
    return image.id


def _accepted(body):
    reply = flask.jsonify(body)
    reply.status_code = 202
    return reply


def snapshot(ctxt, instance, name, metadata=None):
    """Record a queued image, mark the server image_snapshot_pending
    (action createImage), cast the snapshot to its host; the image id."""
    _check(ctxt, instance, "createImage", _SNAPSHOT_FROM)
    # The request's metadata last, as Nova: it may name its own image_type.
    image = _new_image(ctxt, instance, name, {"image_type": "snapshot", **(metadata or {})})
    _save_and_cast(ctxt, instance, image.id, "createImage", TaskState.IMAGE_SNAPSHOT_PENDING,
                   lambda saved: common.compute().snapshot_instance(
                       ctxt, saved.host, saved, image.id))
    return image.id


def _new_image(ctxt, instance, name, properties):
    """A queued private image of the server: the base image's properties
    (as Nova keeps them), then `properties`, and which server it is of."""
    base = _base_image(ctxt, instance)
    inherited = {k: v for k, v in (base.properties if base else {}).items()
                 if k not in _NOT_INHERITED}
    return common.conductor().image_create(ctxt, {
        "name": name, "status": ImageStatus.QUEUED, "owner": ctxt.project_id, "disk_format": "qcow2",
        "container_format": "bare", "visibility": "private",
        "min_disk": base.min_disk if base else 0, "min_ram": base.min_ram if base else 0,
        "properties": dict(inherited, **properties, instance_uuid=instance.uuid,
                           base_image_ref=common.id_from_href(instance.image_ref),
                           user_id=ctxt.user_id)})


# What describes one image rather than what it holds (Nova's
# non_inheritable_image_properties and the snapshot's own keys).
_NOT_INHERITED = ("image_type", "backup_type", "instance_uuid", "base_image_ref", "user_id",
                  "image_location", "image_state", "owner_id", "cache_in_nova",
                  "bittorrent", "img_signature", "img_signature_hash_method",
                  "img_signature_certificate_uuid", "img_signature_key_type")


def _base_image(ctxt, instance):
    """The server's image record, or None when it is gone."""
    try:
        return common.conductor().image_get(ctxt, common.id_from_href(instance.image_ref))
    except exception.ImageNotFound:
        return None


def _check(ctxt, instance, action, vm_states):
    compute_api.check_lock(ctxt, instance)
    check_state(instance, action, vm_states)
    if not instance.host:  # never scheduled: no host would answer the cast
        raise exception.InstanceNotReady(instance_id=instance.uuid)


# The system_metadata key that names the image an action writes, from the
# API's save on: a message lost before any host took it leaves an image
# the conductor's reaper can find (stratus.conductor.reaper).
_IMAGE_KEYS = {"createImage": SystemMetadata.SNAPSHOT_IMAGE_ID,
               "createBackup": SystemMetadata.SNAPSHOT_IMAGE_ID,
               "shelve": SystemMetadata.SHELVED_IMAGE_ID}


def _save_and_cast(ctxt, instance, image_id, action, task_state, cast):
    """The CAS save of the task_state (recording the action); the image
    record goes again when it fails (another action came first)."""
    values = {"task_state": task_state}
    if image_id:
        values["system_metadata"] = dict(instance.system_metadata or {},
                                         **{_IMAGE_KEYS[action]: image_id})
    try:
        saved = common.conductor().instance_update(
            ctxt, instance.uuid, values, expected_task_state=[None],
            expected_vm_state=instance.vm_state, action=action)
    except exception.StratusException:
        if image_id:
            common.conductor().image_delete(ctxt, image_id)
        raise
    cast(saved)


# shelve, shelveOffload, unshelve
def _shelve(ctxt, instance, value):
    _check(ctxt, instance, "shelve", _SHELVE_FROM)
    image = _new_image(ctxt, instance, f"{instance.display_name}-shelved",
                       {"image_type": "snapshot"})
    _save_and_cast(ctxt, instance, image.id, "shelve", TaskState.SHELVING,
                   lambda saved: common.compute().shelve_instance(ctxt, saved.host, saved,
                                                                  image.id))


def _shelve_offload(ctxt, instance, value):
    compute_api.check_lock(ctxt, instance)
    check_state(instance, "shelveOffload", (VmState.SHELVED,))
    _save_and_cast(ctxt, instance, None, "shelveOffload", TaskState.SHELVING_OFFLOADING,
                   lambda saved: common.compute().shelve_offload_instance(ctxt, saved.host,
                                                                          saved))


def _unshelve(ctxt, instance, value):
    """unshelve; from 2.77 into an `availability_zone`, from 2.91 onto a
    `host` (admins) too."""
    zone = host = None
    if is_supported("2.77") and value is not None:
        allowed = ("availability_zone", "host") if is_supported("2.91") else ("availability_zone",)
        body = object_of("unshelve", value, allowed)
        zone = string("availability_zone", body.get("availability_zone"), nullable=True)
        host = string("host", body["host"]) if "host" in body else None
    compute_api.check_lock(ctxt, instance)
    check_state(instance, "unshelve", _UNSHELVE_FROM)
    if (zone or host) and instance.vm_state != VmState.SHELVED_OFFLOADED:
        raise UnshelveInvalidRequest(instance_uuid=instance.uuid, state=instance.vm_state)
    if zone:
        server_build.resolve_zone(ctxt, {"availability_zone": zone})  # 400 if unknown
    if host:
        _check_unshelve_host(ctxt, host, zone)
    _save_and_cast(ctxt, instance, None, "unshelve", TaskState.UNSHELVING,
                   lambda saved: _cast_unshelve(ctxt, saved, zone, host))


def _check_unshelve_host(ctxt, host, zone):
    """An admin's destination: a known compute host (in `zone`, if given),
    and a conductor new enough to honour it (else 409 before anything is
    saved, rather than an unshelve somewhere else)."""
    policy.authorize("os_compute_api:os-shelve:unshelve_to_host")
    nodes = [n for n in common.conductor().compute_node_get_all(ctxt) if n.host == host]
    if not nodes:
        raise BadRequest(f"Compute host {host} could not be found.")
    if zone and all(n.availability_zone != zone for n in nodes):
        raise BadRequest(f"Host {host} is not in availability zone {zone}.")
    if not common.conductor().can_send_version("1.7"):
        raise exception.VersionCapExceeded(role="conductor", version="1.7",
                                           cap=get_settings().conductor_rpc_version_cap)


def _cast_unshelve(ctxt, saved, zone, host=None):
    """Still on its host: the host starts it. Offloaded: the conductor
    schedules it again (onto `host` when an admin named one)."""
    if saved.vm_state == VmState.SHELVED:
        common.compute().unshelve_instance(ctxt, saved.host, saved)
    else:
        common.compute_task().unshelve_instance(ctxt, saved.uuid, availability_zone=zone,
                                                host=host)


# rebuild
_REBUILD_KEYS = {"imageRef": None, "name": None, "metadata": None, "adminPass": None,
                 "preserve_ephemeral": None, "accessIPv4": None, "accessIPv6": None,
                 "OS-DCF:diskConfig": None, "personality": None, "description": "2.19",
                 "key_name": "2.54", "user_data": "2.57"}


def _rebuild(ctxt, instance, value):
    allowed = [k for k, version in _REBUILD_KEYS.items() if not version or is_supported(version)]
    body = object_of("rebuild", value, allowed, ("imageRef",))
    if not isinstance(body.get("preserve_ephemeral", False), bool):
        raise BadRequest("Invalid input for field/attribute preserve_ephemeral.")
    values = _rebuild_values(ctxt, body)
    values["system_metadata"] = disk_config.recorded(instance.system_metadata,
                                                     disk_config.parse(body))
    admin_pass = body.get("adminPass") or server_build.new_password()
    saved = rebuild(ctxt, instance, common.id_from_href(string("imageRef", body["imageRef"])),
                    values, bool(body.get("preserve_ephemeral")))
    # The compute records the new image_ref once the guest runs from it;
    # the answer shows the image the server is being rebuilt with, as Nova.
    saved.image_ref = common.id_from_href(body["imageRef"])
    view = shown(saved, extended=is_supported("2.75"))
    # Nova's rebuild answers these whatever the rest of the view shows.
    if is_supported("2.54"):
        view["key_name"] = saved.key_name
    if is_supported("2.57"):
        # In place of the admin attribute the full view (2.75) carries.
        view.pop("OS-EXT-SRV-ATTR:user_data", None)
        view["user_data"] = saved.user_data
    view["adminPass"] = admin_pass
    return _accepted({"server": view})


def _rebuild_values(ctxt, body):
    """The instance's new values from the request (name, metadata, key)."""
    values = {}
    if "name" in body:
        values["display_name"] = string("name", body["name"])
    if "metadata" in body:
        values["metadata"] = _metadata("metadata", body["metadata"])
    if "adminPass" in body:
        string("adminPass", body["adminPass"], min_length=0)
    for key, longest in (("description", 255), ("user_data", 65535)):
        if key in body:
            values[key] = string(key, body[key], longest, nullable=True, min_length=0)
    if values.get("user_data"):
        try:
            validate_base64(values["user_data"])
        except ValidationError:
            raise BadRequest("Invalid input for field/attribute user_data: not base64.") \
                from None
    for key, column in (("accessIPv4", "access_ip_v4"), ("accessIPv6", "access_ip_v6")):
        if key in body:
            values[column] = str(body[key]) if body[key] else None
    if "key_name" in body:
        key_name = string("key_name", body["key_name"], nullable=True)
        values.update(key_name=key_name, key_data=server_build.key_data(ctxt, key_name))
    return values


def rebuild(ctxt, instance, image_id, values, preserve_ephemeral=False):
    """Check the new image, save task_state rebuilding with the new
    values (action rebuild); a new image goes through the conductor (the
    scheduler re-checks the host), the same one straight to the host."""
    _check(ctxt, instance, "rebuild", _REBUILD_FROM)
    image = server_build.resolve_image(ctxt, image_id)  # 400 unknown or not active
    if instance.flavor is not None:
        boot_catalog.check_flavor_fits(instance.flavor, image)  # 400 as at boot
    new_image = image_id != common.id_from_href(instance.image_ref)
    saved = common.conductor().instance_update(
        ctxt, instance.uuid, dict(values, task_state=TaskState.REBUILDING),
        expected_task_state=[None], expected_vm_state=instance.vm_state, action="rebuild")
    if new_image:
        common.compute_task().rebuild_instance(ctxt, saved.uuid, image_id, saved.host,
                                               preserve_ephemeral=preserve_ephemeral)
    else:
        common.compute().rebuild_instance(ctxt, saved.host, saved, image_id,
                                          preserve_ephemeral=preserve_ephemeral)
    return saved


# action name -> handler(ctxt, instance, value); merged into
# app.server_actions.HANDLERS.
HANDLERS = {"createImage": _create_image, "createBackup": _create_backup, "shelve": _shelve,
            "shelveOffload": _shelve_offload, "unshelve": _unshelve, "rebuild": _rebuild}
