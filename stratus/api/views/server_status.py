"""status <-> (vm_state, task_state), as Nova's api/openstack/common.py."""
from stratus.common.vocabulary import TaskState, VmState

_REBOOT = {TaskState.REBOOTING: "REBOOT", TaskState.REBOOT_PENDING: "REBOOT",
           TaskState.REBOOT_STARTED: "REBOOT", TaskState.REBOOTING_HARD: "HARD_REBOOT",
           TaskState.REBOOT_PENDING_HARD: "HARD_REBOOT",
           TaskState.REBOOT_STARTED_HARD: "HARD_REBOOT"}
_REBUILD = {TaskState.REBUILDING: "REBUILD", TaskState.REBUILD_BLOCK_DEVICE_MAPPING: "REBUILD",
            TaskState.REBUILD_SPAWNING: "REBUILD"}
_RESIZE = {TaskState.RESIZE_PREP: "RESIZE", TaskState.RESIZE_MIGRATING: "RESIZE",
           TaskState.RESIZE_MIGRATED: "RESIZE", TaskState.RESIZE_FINISH: "RESIZE"}

_STATE_MAP = {
    VmState.ACTIVE: {"default": "ACTIVE", **_REBOOT, **_REBUILD, **_RESIZE,
                     TaskState.UPDATING_PASSWORD: "PASSWORD",
                     TaskState.MIGRATING: "MIGRATING"},
    VmState.BUILDING: {"default": "BUILD"},
    VmState.STOPPED: {"default": "SHUTOFF", **_RESIZE, TaskState.REBUILDING: "REBUILD"},
    VmState.RESIZED: {"default": "VERIFY_RESIZE", TaskState.RESIZE_REVERTING: "REVERT_RESIZE"},
    VmState.PAUSED: {"default": "PAUSED", TaskState.MIGRATING: "MIGRATING"},
    VmState.SUSPENDED: {"default": "SUSPENDED"},
    VmState.RESCUED: {"default": "RESCUE"},
    VmState.ERROR: {"default": "ERROR", TaskState.REBUILDING: "REBUILD"},
    VmState.DELETED: {"default": "DELETED"},
    VmState.SOFT_DELETED: {"default": "SOFT_DELETED"},
    VmState.SHELVED: {"default": "SHELVED"},
    VmState.SHELVED_OFFLOADED: {"default": "SHELVED_OFFLOADED"},
}


def status_from_state(vm_state, task_state=None):
    """The API status of an instance; UNKNOWN for a state Nova never shows."""
    task_map = _STATE_MAP.get(vm_state, {"default": "UNKNOWN"})
    return task_map.get(task_state, task_map["default"])


def vm_states_from_status(status):
    """The vm_states whose default status is `status` (list filter); [] if none."""
    status = status.upper()
    return [vm for vm, task_map in _STATE_MAP.items() if task_map["default"] == status]
