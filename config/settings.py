"""Typed settings read from the environment, with the defaults of the
all-in-one cloud (SQLite, eager tasks, libvirt's test driver)."""
import dataclasses
import functools
import os
from pathlib import Path


def _env(name, default, cast=str):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if cast is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return cast(raw)


def _state_dir():
    return Path(_env("STRATUS_STATE_DIR", str(Path.cwd() / "var"))).resolve()


@dataclasses.dataclass(frozen=True)
class Settings:
    """Every knob of every role. Field names follow Nova's option names."""

    state_dir: Path
    database_url: str
    broker_url: str
    result_backend: str
    libvirt_uri: str
    eager: bool
    api_host: str
    api_port: int
    public_url: str
    images_path: Path
    instances_path: Path
    default_project_id: str
    default_user_id: str
    rpc_response_timeout: float
    report_interval: float
    service_down_time: float
    max_attempts: int
    cpu_allocation_ratio: float
    ram_allocation_ratio: float
    disk_allocation_ratio: float
    reserved_host_memory_mb: int
    reserved_host_disk_mb: int
    ram_weight_multiplier: float
    cpu_weight_multiplier: float
    disk_weight_multiplier: float
    soft_affinity_weight_multiplier: float
    soft_anti_affinity_weight_multiplier: float
    scheduler_host_state_ttl: float
    availability_zone: str
    default_schedule_zone: str
    compute_rpc_version_cap: str
    test_host_vcpus: int
    test_host_memory_mb: int
    test_host_disk_gb: int
    log_level: str
    flower_port: int
    flower_user: str
    flower_password: str
    quota_instances: int
    quota_cores: int
    quota_ram: int
    quota_metadata_items: int
    quota_key_pairs: int
    quota_server_groups: int
    quota_server_group_members: int
    shutdown_timeout: float
    instance_build_timeout: float
    task_state_timeout: float
    sync_power_state_interval: float
    running_deleted_instance_action: str
    resume_guests_state_on_host_boot: bool
    reap_unknown_guests: bool

    @classmethod
    def from_env(cls):
        state = _state_dir()
        broker = _env("STRATUS_BROKER_URL", "redis://127.0.0.1:6379/0")
        port = _env("STRATUS_API_PORT", 8774, int)
        host = _env("STRATUS_API_HOST", "127.0.0.1")
        return cls(
            state_dir=state,
            database_url=_env("STRATUS_DATABASE_URL", f"sqlite:///{state / 'stratus.sqlite'}"),
            broker_url=broker,
            result_backend=_env("STRATUS_RESULT_BACKEND", broker),
            libvirt_uri=_env("STRATUS_LIBVIRT_URI", "test:///default"),
            eager=_env("CELERY_TASK_ALWAYS_EAGER", False, bool),
            api_host=host,
            api_port=port,
            # Empty: links are built from the address each client used.
            public_url=_env("STRATUS_PUBLIC_URL", ""),
            images_path=Path(_env("STRATUS_IMAGES_PATH", str(state / "images"))),
            instances_path=Path(_env("STRATUS_INSTANCES_PATH", str(state / "instances"))),
            default_project_id=_env("STRATUS_DEFAULT_PROJECT_ID", "default"),
            default_user_id=_env("STRATUS_DEFAULT_USER_ID", "admin"),
            rpc_response_timeout=_env("STRATUS_RPC_RESPONSE_TIMEOUT", 60.0, float),
            report_interval=_env("STRATUS_REPORT_INTERVAL", 10.0, float),
            service_down_time=_env("STRATUS_SERVICE_DOWN_TIME", 60.0, float),
            max_attempts=_env("STRATUS_MAX_ATTEMPTS", 3, int),
            cpu_allocation_ratio=_env("STRATUS_CPU_ALLOCATION_RATIO", 4.0, float),
            ram_allocation_ratio=_env("STRATUS_RAM_ALLOCATION_RATIO", 1.0, float),
            disk_allocation_ratio=_env("STRATUS_DISK_ALLOCATION_RATIO", 1.0, float),
            reserved_host_memory_mb=_env("STRATUS_RESERVED_HOST_MEMORY_MB", 0, int),
            reserved_host_disk_mb=_env("STRATUS_RESERVED_HOST_DISK_MB", 0, int),
            ram_weight_multiplier=_env("STRATUS_RAM_WEIGHT_MULTIPLIER", 1.0, float),
            cpu_weight_multiplier=_env("STRATUS_CPU_WEIGHT_MULTIPLIER", 1.0, float),
            disk_weight_multiplier=_env("STRATUS_DISK_WEIGHT_MULTIPLIER", 1.0, float),
            # Server groups' soft policies. With Nova's default, 1.0, the three
            # resource weighers (1.0 each) outvote soft-affinity, since a host
            # holding a member has less room free; 10 lets the policy decide.
            soft_affinity_weight_multiplier=_env("STRATUS_SOFT_AFFINITY_WEIGHT_MULTIPLIER",
                                                 10.0, float),
            soft_anti_affinity_weight_multiplier=_env(
                "STRATUS_SOFT_ANTI_AFFINITY_WEIGHT_MULTIPLIER", 10.0, float),
            scheduler_host_state_ttl=_env("STRATUS_SCHEDULER_HOST_STATE_TTL", 0.5, float),
            availability_zone=_env("STRATUS_AVAILABILITY_ZONE", "nova"),
            default_schedule_zone=_env("STRATUS_DEFAULT_SCHEDULE_ZONE", ""),
            compute_rpc_version_cap=_env("STRATUS_COMPUTE_RPC_VERSION_CAP", ""),
            # Size of a host on libvirt's test driver (real hosts report their own).
            test_host_vcpus=_env("STRATUS_TEST_HOST_VCPUS", 16, int),
            test_host_memory_mb=_env("STRATUS_TEST_HOST_MEMORY_MB", 32768, int),
            test_host_disk_gb=_env("STRATUS_TEST_HOST_DISK_GB", 500, int),
            log_level=_env("STRATUS_LOG_LEVEL", "INFO").upper(),
            flower_port=_env("STRATUS_FLOWER_PORT", 5555, int),
            flower_user=_env("STRATUS_FLOWER_USER", "admin"),
            flower_password=_env("STRATUS_FLOWER_PASSWORD", "stratus"),
            # Per-project defaults (Nova's [quota] section); -1 is unlimited.
            quota_instances=_env("STRATUS_QUOTA_INSTANCES", 10, int),
            quota_cores=_env("STRATUS_QUOTA_CORES", 20, int),
            quota_ram=_env("STRATUS_QUOTA_RAM", 51200, int),
            quota_metadata_items=_env("STRATUS_QUOTA_METADATA_ITEMS", 128, int),
            quota_key_pairs=_env("STRATUS_QUOTA_KEY_PAIRS", 100, int),
            quota_server_groups=_env("STRATUS_QUOTA_SERVER_GROUPS", 10, int),
            quota_server_group_members=_env("STRATUS_QUOTA_SERVER_GROUP_MEMBERS", 10, int),
            # Seconds a guest gets to shut down cleanly before it is destroyed.
            shutdown_timeout=_env("STRATUS_SHUTDOWN_TIMEOUT", 60.0, float),
            # A build older than this goes to ERROR (0 turns the check off;
            # Nova's default is off, ours is on so nothing stays in BUILD).
            instance_build_timeout=_env("STRATUS_INSTANCE_BUILD_TIMEOUT", 600.0, float),
            # A task_state unchanged for this long is reaped (0: never).
            task_state_timeout=_env("STRATUS_TASK_STATE_TIMEOUT", 900.0, float),
            sync_power_state_interval=_env("STRATUS_SYNC_POWER_STATE_INTERVAL", 60.0, float),
            # A guest with no live instance record: reap, log or noop (Nova's option).
            running_deleted_instance_action=_env("STRATUS_RUNNING_DELETED_INSTANCE_ACTION",
                                                 "reap"),
            # Restart the guests that should be running when the compute
            # starts. On by default (Nova's is off): libvirt's test driver
            # keeps guests in the compute process, so a restart loses them.
            resume_guests_state_on_host_boot=_env("STRATUS_RESUME_GUESTS_STATE_ON_HOST_BOOT",
                                                  True, bool),
            # A guest with no instance record at all is only reported unless
            # this is on: a shared libvirtd may hold other clouds' guests.
            reap_unknown_guests=_env("STRATUS_REAP_UNKNOWN_GUESTS", False, bool),
        )


@functools.lru_cache(maxsize=1)
def get_settings():
    """The process's settings, read once from the environment."""
    return Settings.from_env()


def reset_settings():
    """Forget the cached settings (tests change the environment)."""
    get_settings.cache_clear()
