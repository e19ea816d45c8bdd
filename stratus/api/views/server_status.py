"""status <-> (vm_state, task_state), as Nova's api/openstack/common.py."""
from stratus.common.objects import states

_STATE_MAP = {
    states.ACTIVE: {"default": "ACTIVE", "rebooting": "REBOOT", "reboot_pending": "REBOOT",
                    "reboot_started": "REBOOT", "rebooting_hard": "HARD_REBOOT",
                    "reboot_pending_hard": "HARD_REBOOT", "reboot_started_hard": "HARD_REBOOT",
                    "updating_password": "PASSWORD", "rebuilding": "REBUILD",
                    "rebuild_block_device_mapping": "REBUILD", "rebuild_spawning": "REBUILD",
                    "migrating": "MIGRATING", "resize_prep": "RESIZE",
                    "resize_migrating": "RESIZE", "resize_migrated": "RESIZE",
                    "resize_finish": "RESIZE"},
    states.BUILDING: {"default": "BUILD"},
    states.STOPPED: {"default": "SHUTOFF", "resize_prep": "RESIZE",
                     "resize_migrating": "RESIZE", "resize_migrated": "RESIZE",
                     "resize_finish": "RESIZE", "rebuilding": "REBUILD"},
    states.RESIZED: {"default": "VERIFY_RESIZE", "resize_reverting": "REVERT_RESIZE"},
    states.PAUSED: {"default": "PAUSED", "migrating": "MIGRATING"},
    states.SUSPENDED: {"default": "SUSPENDED"},
    states.RESCUED: {"default": "RESCUE"},
    states.ERROR: {"default": "ERROR", "rebuilding": "REBUILD"},
    states.DELETED: {"default": "DELETED"},
    states.SOFT_DELETED: {"default": "SOFT_DELETED"},
    states.SHELVED: {"default": "SHELVED"},
    states.SHELVED_OFFLOADED: {"default": "SHELVED_OFFLOADED"},
}


def status_from_state(vm_state, task_state=None):
    """The API status of an instance; UNKNOWN for a state Nova never shows."""
    task_map = _STATE_MAP.get(vm_state, {"default": "UNKNOWN"})
    return task_map.get(task_state, task_map["default"])


def vm_states_from_status(status):
    """The vm_states whose default status is `status` (list filter); [] if none."""
    status = status.upper()
    return [vm for vm, task_map in _STATE_MAP.items() if task_map["default"] == status]
