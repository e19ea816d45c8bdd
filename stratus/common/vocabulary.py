"""The words every role shares, each kind apart: an instance's vm_state,
task_state and power_state (Nova's meanings and values), a migration's
status and type, an image's status, the keys of an instance's
system_metadata, a service's binary, the compare-and-swap conflict, and
the "not given" sentinel. Nothing else spells these values out."""
from stratus.common import exception


class VmState:
    """What an instance is (Nova's vm_states)."""

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


class TaskState:
    """What is being done to an instance (Nova's task_states)."""

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
    RESCUING = "rescuing"
    UNRESCUING = "unrescuing"
    # snapshots and shelving
    IMAGE_SNAPSHOT_PENDING = "image_snapshot_pending"
    IMAGE_SNAPSHOT = "image_snapshot"
    IMAGE_PENDING_UPLOAD = "image_pending_upload"
    IMAGE_UPLOADING = "image_uploading"
    SHELVING = "shelving"
    SHELVING_IMAGE_PENDING_UPLOAD = "shelving_image_pending_upload"
    SHELVING_IMAGE_UPLOADING = "shelving_image_uploading"
    SHELVING_OFFLOADING = "shelving_offloading"
    UNSHELVING = "unshelving"
    # migrations and rebuilds
    RESIZE_PREP = "resize_prep"
    RESIZE_MIGRATING = "resize_migrating"
    RESIZE_MIGRATED = "resize_migrated"
    RESIZE_FINISH = "resize_finish"
    RESIZE_REVERTING = "resize_reverting"
    MIGRATING = "migrating"
    REBUILDING = "rebuilding"
    REBUILD_BLOCK_DEVICE_MAPPING = "rebuild_block_device_mapping"
    REBUILD_SPAWNING = "rebuild_spawning"
    UPDATING_PASSWORD = "updating_password"


class PowerState:
    """The guest's power state as the hypervisor reports it (libvirt's
    numbering, as Nova)."""

    NOSTATE = 0
    RUNNING = 1
    PAUSED = 3
    SHUTDOWN = 4
    CRASHED = 6
    SUSPENDED = 7

    NAMES = {NOSTATE: "NOSTATE", RUNNING: "Running", PAUSED: "Paused", SHUTDOWN: "Shutdown",
             CRASHED: "Crashed", SUSPENDED: "Suspended"}


class MigrationStatus:
    """Where a migration record stands (Nova's objects/migration.py and
    its users)."""

    ACCEPTED = "accepted"
    PRE_MIGRATING = "pre-migrating"
    MIGRATING = "migrating"
    POST_MIGRATING = "post-migrating"
    FINISHED = "finished"  # a resize/migrate waiting for confirm or revert
    CONFIRMING = "confirming"
    CONFIRMED = "confirmed"
    REVERTING = "reverting"
    REVERTED = "reverted"
    COMPLETED = "completed"  # a live migration that succeeded
    DONE = "done"  # an evacuation that succeeded
    ERROR = "error"
    FAILED = "failed"
    # Still moving: a server has at most one migration in these.
    IN_PROGRESS = (ACCEPTED, PRE_MIGRATING, MIGRATING, POST_MIGRATING, FINISHED, CONFIRMING,
                   REVERTING)


class ExternalEventStatus:
    """The status of an event another service reports about a server
    (Nova's os-server-external-events)."""

    FAILED = "failed"
    COMPLETED = "completed"
    IN_PROGRESS = "in-progress"
    ALL = (FAILED, COMPLETED, IN_PROGRESS)


class MigrationType:
    """What kind of move a migration record is."""

    RESIZE = "resize"
    MIGRATION = "migration"
    LIVE_MIGRATION = "live-migration"
    EVACUATION = "evacuation"


class ImageStatus:
    """An image record's status (Glance v2's values)."""

    QUEUED = "queued"
    SAVING = "saving"
    ACTIVE = "active"


class SystemMetadata:
    """Keys of an instance's system_metadata: what its migrations and
    snapshots keep about it, and its disk config."""

    # The image a snapshot is writing, named from the API's first save.
    SNAPSHOT_IMAGE_ID = "snapshot_image_id"
    # What a shelved server keeps: its image, when and where it was shelved.
    SHELVED_IMAGE_ID = "shelved_image_id"
    SHELVED_AT = "shelved_at"
    SHELVED_HOST = "shelved_host"
    SHELVED = (SHELVED_IMAGE_ID, SHELVED_AT, SHELVED_HOST)
    # What a build sent to a host keeps for a move should that host die
    # before claiming it: the scheduler's alternates left, and the
    # request's server group (uuid).
    BUILD_ALTERNATES = "build_alternates"
    BUILD_GROUP = "build_group"
    # Nova's auto_disk_config (the API's OS-DCF:diskConfig AUTO), a boolean.
    AUTO_DISK_CONFIG = "auto_disk_config"
    # task_state -> the key naming the image being written in that state.
    IMAGE_IN_FLIGHT = {TaskState.IMAGE_SNAPSHOT_PENDING: SNAPSHOT_IMAGE_ID,
                       TaskState.IMAGE_SNAPSHOT: SNAPSHOT_IMAGE_ID,
                       TaskState.IMAGE_PENDING_UPLOAD: SNAPSHOT_IMAGE_ID,
                       TaskState.IMAGE_UPLOADING: SNAPSHOT_IMAGE_ID,
                       TaskState.SHELVING: SHELVED_IMAGE_ID,
                       TaskState.SHELVING_IMAGE_PENDING_UPLOAD: SHELVED_IMAGE_ID,
                       TaskState.SHELVING_IMAGE_UPLOADING: SHELVED_IMAGE_ID}


class ServiceBinary:
    """A service's binary, as stored, shown by os-services and filtered on:
    Nova's names (Kilo's split), which clients and Tempest look for."""

    COMPUTE = "nova-compute"
    CONDUCTOR = "nova-conductor"
    SCHEDULER = "nova-scheduler"
    CERT = "nova-cert"
    CONSOLEAUTH = "nova-consoleauth"

    @staticmethod
    def of(role):
        """The binary of a role's worker: `nova-<role>`."""
        return f"nova-{role}"

    # What services called themselves before they took Nova's names: a
    # heartbeat from a service not yet upgraded is recorded under the new
    # name (migration 0006 renamed the stored rows).
    FORMER = {f"stratus-{role}": f"nova-{role}"
              for role in ("compute", "conductor", "scheduler", "cert", "consoleauth")}


# A compare-and-swap save lost: the instance was deleted, or another
# action took it over (its task_state or vm_state is not what the saver
# expected). Whoever catches this has nothing left to do.
CAS_CONFLICT = (exception.UnexpectedTaskStateError, exception.InstanceNotFound)

# "Not given" where None is a value (a task_state of None is expected):
# a string, because it crosses the wire in JSON.
UNSET = "__unset__"
