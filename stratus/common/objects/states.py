"""vm_state, task_state and power_state values, with Nova's meanings."""

# vm_states
ACTIVE = "active"
BUILDING = "building"
STOPPED = "stopped"
PAUSED = "paused"
SUSPENDED = "suspended"
ERROR = "error"
DELETED = "deleted"
SOFT_DELETED = "soft-delete"
RESIZED = "resized"
SHELVED = "shelved"
SHELVED_OFFLOADED = "shelved_offloaded"
RESCUED = "rescued"

# task_states
SCHEDULING = "scheduling"
BLOCK_DEVICE_MAPPING = "block_device_mapping"
NETWORKING = "networking"
SPAWNING = "spawning"
DELETING = "deleting"
POWERING_OFF = "powering-off"
POWERING_ON = "powering-on"
REBOOTING = "rebooting"
REBOOT_PENDING = "reboot_pending"
REBOOT_STARTED = "reboot_started"
REBOOTING_HARD = "rebooting_hard"
REBOOT_PENDING_HARD = "reboot_pending_hard"
REBOOT_STARTED_HARD = "reboot_started_hard"
PAUSING = "pausing"
UNPAUSING = "unpausing"
SUSPENDING = "suspending"
RESUMING = "resuming"
# moves and copies (issue 5)
IMAGE_SNAPSHOT_PENDING = "image_snapshot_pending"
IMAGE_SNAPSHOT = "image_snapshot"
IMAGE_PENDING_UPLOAD = "image_pending_upload"
IMAGE_UPLOADING = "image_uploading"
RESIZE_PREP = "resize_prep"
RESIZE_MIGRATING = "resize_migrating"
RESIZE_MIGRATED = "resize_migrated"
RESIZE_FINISH = "resize_finish"
RESIZE_REVERTING = "resize_reverting"
MIGRATING = "migrating"
REBUILDING = "rebuilding"
REBUILD_SPAWNING = "rebuild_spawning"
SHELVING = "shelving"
SHELVING_IMAGE_PENDING_UPLOAD = "shelving_image_pending_upload"
SHELVING_IMAGE_UPLOADING = "shelving_image_uploading"
SHELVING_OFFLOADING = "shelving_offloading"
UNSHELVING = "unshelving"

# migration statuses (Nova's objects/migration.py and its users)
MIGRATION_ACCEPTED = "accepted"
MIGRATION_PRE_MIGRATING = "pre-migrating"
MIGRATION_MIGRATING = "migrating"
MIGRATION_POST_MIGRATING = "post-migrating"
MIGRATION_FINISHED = "finished"  # a resize/migrate waiting for confirm or revert
MIGRATION_CONFIRMING = "confirming"
MIGRATION_CONFIRMED = "confirmed"
MIGRATION_REVERTING = "reverting"
MIGRATION_REVERTED = "reverted"
MIGRATION_COMPLETED = "completed"  # a live migration that succeeded
MIGRATION_DONE = "done"  # an evacuation that succeeded
MIGRATION_ERROR = "error"
MIGRATION_FAILED = "failed"
# Still moving: a server has at most one migration in these.
MIGRATION_IN_PROGRESS = (MIGRATION_ACCEPTED, MIGRATION_PRE_MIGRATING, MIGRATION_MIGRATING,
                         MIGRATION_POST_MIGRATING, MIGRATION_FINISHED, MIGRATION_CONFIRMING,
                         MIGRATION_REVERTING)
# migration types
RESIZE = "resize"
MIGRATION = "migration"
LIVE_MIGRATION = "live-migration"
EVACUATION = "evacuation"

# power_state (libvirt's numbering, as Nova)
NOSTATE = 0
RUNNING = 1
PAUSED_POWER = 3
SHUTDOWN = 4
CRASHED = 6
SUSPENDED_POWER = 7

POWER_STATE_NAMES = {NOSTATE: "NOSTATE", RUNNING: "Running", PAUSED_POWER: "Paused",
                     SHUTDOWN: "Shutdown", CRASHED: "Crashed", SUSPENDED_POWER: "Suspended"}
