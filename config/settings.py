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


def is_rabbitmq(broker_url):
    """Whether the broker URL names RabbitMQ (py-amqp) rather than Redis."""
    return broker_url.split("://", 1)[0] in ("amqp", "pyamqp", "amqps")


def _default_result_backend(broker):
    """Where a `call`'s reply waits for its caller: the broker itself when
    it is Redis. Under RabbitMQ, a local Redis too (set
    STRATUS_RESULT_BACKEND to name another): Celery's `rpc://` replies
    (RabbitMQ's direct reply-to) were lost or timed out when a worker's
    pool threads made calls of their own, as compute and the scheduler do
    (measured with Celery 5.7), so they cannot carry a `call`."""
    if is_rabbitmq(broker):
        return "redis://127.0.0.1:6379/0"
    return broker


@dataclasses.dataclass(frozen=True)
class Settings:
    """Every knob of every role. Field names follow Nova's option names."""

    state_dir: Path
    database_url: str
    broker_url: str
    result_backend: str
    libvirt_uri: str
    libvirt_virt_type: str
    eager: bool
    api_host: str
    api_port: int
    public_url: str
    images_path: Path
    instances_path: Path
    rpc_response_timeout: float
    retry_after: int
    database_connect_timeout: float
    db_retry_seconds: float
    save_retry_seconds: float
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
    scheduler_max_candidates: int
    availability_zone: str
    default_schedule_zone: str
    default_network_cidr: str
    compute_rpc_version_cap: str
    conductor_rpc_version_cap: str
    scheduler_rpc_version_cap: str
    cert_rpc_version_cap: str
    consoleauth_rpc_version_cap: str
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
    queued_build_timeout: float
    sync_power_state_interval: float
    running_deleted_instance_action: str
    resume_guests_state_on_host_boot: bool
    reap_unknown_guests: bool
    force_config_drive: bool
    # the cert role's CA
    ca_path: Path
    ca_subject: str
    user_cert_subject: str
    cert_validity_days: int
    crl_validity_hours: int
    # consoles: consoleauth tokens and the noVNC proxy
    console_token_ttl: float
    console_allowed_origins: tuple
    novncproxy_host: str
    novncproxy_port: int
    novncproxy_base_url: str
    novnc_web: Path
    # identity: token lifetime, the bootstrap admin's password
    token_ttl: float
    token_recheck_seconds: float
    admin_password: str
    # migrations (resize, cold and live migration, evacuation)
    resize_confirm_window: float
    allow_resize_to_same_host: bool
    shelved_offload_time: float
    reclaim_instance_interval: float
    live_migration_uri: str
    live_migration_inbound_addr: str
    live_migration_shared_storage: bool
    live_migration_completion_timeout: float

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
            result_backend=_env("STRATUS_RESULT_BACKEND", _default_result_backend(broker)),
            libvirt_uri=_env("STRATUS_LIBVIRT_URI", "test:///default"),
            # Nova's [libvirt] virt_type: "kvm" or "qemu" (software
            # emulation); empty: kvm where /dev/kvm exists.
            libvirt_virt_type=_env("STRATUS_LIBVIRT_VIRT_TYPE", ""),
            eager=_env("CELERY_TASK_ALWAYS_EAGER", False, bool),
            api_host=host,
            api_port=port,
            # Empty: links are built from the address each client used.
            public_url=_env("STRATUS_PUBLIC_URL", ""),
            images_path=Path(_env("STRATUS_IMAGES_PATH", str(state / "images"))),
            instances_path=Path(_env("STRATUS_INSTANCES_PATH", str(state / "instances"))),
            rpc_response_timeout=_env("STRATUS_RPC_RESPONSE_TIMEOUT", 60.0, float),
            # The Retry-After (seconds) of a 503: the database or the broker
            # cannot be reached. Short: a restart or failover takes seconds,
            # and a client asking again during a long outage costs one
            # cheap 503.
            retry_after=_env("STRATUS_RETRY_AFTER", 5, int),
            # Seconds the conductor waits for a database connection to
            # open (an unreachable host would otherwise hold the request
            # for the operating system's TCP timeout, minutes).
            database_connect_timeout=_env("STRATUS_DATABASE_CONNECT_TIMEOUT", 5.0, float),
            # Seconds the conductor keeps retrying, with backoff, a
            # transaction whose database connection was lost or refused
            # before it answers DatabaseUnavailable (0: no retry). Held
            # below half the RPC timeout (db_retry_window) so that the
            # API's caller hears 503 rather than 504.
            db_retry_seconds=_env("STRATUS_DB_RETRY_SECONDS", 15.0, float),
            # Seconds a compute host keeps retrying, with backoff, a save
            # to the conductor that met an outage (database or broker, or
            # a reply that never came) before it gives up (0: no retry).
            save_retry_seconds=_env("STRATUS_SAVE_RETRY_SECONDS", 60.0, float),
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
            # Hosts weighed per decision (Nova's max_placement_results, 1000
            # there): the best ranked that pass the filters. Enough for the
            # chosen host, its alternates and claims lost to other schedulers.
            scheduler_max_candidates=_env("STRATUS_SCHEDULER_MAX_CANDIDATES", 20, int),
            availability_zone=_env("STRATUS_AVAILABILITY_ZONE", "nova"),
            default_schedule_zone=_env("STRATUS_DEFAULT_SCHEDULE_ZONE", ""),
            # The all-in-one's `default` network (a libvirt NAT bridge on
            # the host): pick another range if this one is in use here.
            default_network_cidr=_env("STRATUS_DEFAULT_NETWORK_CIDR", "10.42.0.0/24"),
            # Nova's [upgrade_levels]: the highest RPC API version this
            # process sends to each role ("1.2"; empty: no cap). Set them to
            # what the oldest service of that role speaks while a rolling
            # upgrade runs, and remove them once every service is upgraded.
            compute_rpc_version_cap=_env("STRATUS_COMPUTE_RPC_VERSION_CAP", ""),
            conductor_rpc_version_cap=_env("STRATUS_CONDUCTOR_RPC_VERSION_CAP", ""),
            scheduler_rpc_version_cap=_env("STRATUS_SCHEDULER_RPC_VERSION_CAP", ""),
            cert_rpc_version_cap=_env("STRATUS_CERT_RPC_VERSION_CAP", ""),
            consoleauth_rpc_version_cap=_env("STRATUS_CONSOLEAUTH_RPC_VERSION_CAP", ""),
            # Size of a host on libvirt's test driver (real hosts report their own).
            test_host_vcpus=_env("STRATUS_TEST_HOST_VCPUS", 16, int),
            test_host_memory_mb=_env("STRATUS_TEST_HOST_MEMORY_MB", 32768, int),
            test_host_disk_gb=_env("STRATUS_TEST_HOST_DISK_GB", 500, int),
            log_level=_env("STRATUS_LOG_LEVEL", "INFO").upper(),
            flower_port=_env("STRATUS_FLOWER_PORT", 5555, int),
            flower_user=_env("STRATUS_FLOWER_USER", "admin"),
            # Empty: a password generated once and kept in the state dir.
            flower_password=_env("STRATUS_FLOWER_PASSWORD", ""),
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
            # A build queued this long for a host that is down (its message
            # unconsumed) moves to an alternate host (0: never).
            queued_build_timeout=_env("STRATUS_QUEUED_BUILD_TIMEOUT", 120.0, float),
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
            # Every real guest gets a config drive, asked for or not (Nova's
            # option; its default is off): Stratus has no metadata service,
            # so the drive is a guest's only way to its key and user data.
            force_config_drive=_env("STRATUS_FORCE_CONFIG_DRIVE", True, bool),
            # The cert role's CA (Nova's [crypto] options): its files, the
            # subjects it writes (a user's: project, user, timestamp, as in
            # Nova's user_cert_subject), and how long what it signs is valid.
            ca_path=Path(_env("STRATUS_CA_PATH", str(state / "ca"))),
            ca_subject=_env("STRATUS_CA_SUBJECT",
                            "/C=US/ST=California/L=Mountain View/O=Stratus ROOT/CN=Stratus CA"),
            user_cert_subject=_env("STRATUS_USER_CERT_SUBJECT",
                                   "/C=US/ST=California/O=OpenStack/OU=NovaDev/CN=%.16s-%.16s-%s"),
            cert_validity_days=_env("STRATUS_CERT_VALIDITY_DAYS", 365, int),
            # A CRL is signed afresh at each fetch; its next_update tells
            # readers how long they may keep it.
            crl_validity_hours=_env("STRATUS_CRL_VALIDITY_HOURS", 24, int),
            # Consoles (Nova's [consoleauth] token_ttl, [console] allowed_origins
            # and [vnc] novncproxy_* options). A console URL's token is good
            # for this many seconds; browsers may open the proxy from its own
            # host or from these other host names (space or comma separated).
            console_token_ttl=_env("STRATUS_CONSOLE_TOKEN_TTL", 600.0, float),
            console_allowed_origins=tuple(
                _env("STRATUS_CONSOLE_ALLOWED_ORIGINS", "").replace(",", " ").split()),
            novncproxy_host=_env("STRATUS_NOVNCPROXY_HOST", "127.0.0.1"),
            novncproxy_port=_env("STRATUS_NOVNCPROXY_PORT", 6080, int),
            novncproxy_base_url=_env("STRATUS_NOVNCPROXY_BASE_URL",
                                     "http://127.0.0.1:6080/vnc_lite.html"),
            # The noVNC client pages the proxy serves (Debian's `novnc`).
            novnc_web=Path(_env("STRATUS_NOVNC_WEB", "/usr/share/novnc")),
            # Identity: seconds a token is valid (Keystone's
            # [token] expiration), and the bootstrap admin's password
            # (empty: one generated once and kept in the state dir).
            token_ttl=_env("STRATUS_TOKEN_TTL", 3600.0, float),
            # A token is honoured while its user is enabled and still holds
            # its roles on its project; the api asks the conductor at most
            # this often per user and project (0: on every request).
            token_recheck_seconds=_env("STRATUS_TOKEN_RECHECK_SECONDS", 5.0, float),
            admin_password=_env("STRATUS_ADMIN_PASSWORD", ""),
            # Migrations. A resize or cold migration waiting in
            # VERIFY_RESIZE longer than this many seconds is confirmed by
            # the conductor (0: never, Nova's default).
            resize_confirm_window=_env("STRATUS_RESIZE_CONFIRM_WINDOW", 0.0, float),
            # Nova's option: a resize may pick the server's own host (off:
            # always another; the all-in-one, with one host, turns it on).
            allow_resize_to_same_host=_env("STRATUS_ALLOW_RESIZE_TO_SAME_HOST", False, bool),
            # Seconds a shelved server keeps its guest and claim before it is
            # offloaded (0: at once, -1: never), as Nova's option.
            shelved_offload_time=_env("STRATUS_SHELVED_OFFLOAD_TIME", 0.0, float),
            # Nova's reclaim_instance_interval: above 0, a delete only
            # soft-deletes a server (restore brings it back, forceDelete ends
            # it) and its host reclaims it once this many seconds passed.
            reclaim_instance_interval=_env("STRATUS_RECLAIM_INSTANCE_INTERVAL", 0.0, float),
            # How other hosts' libvirt reaches this host's libvirtd for a
            # live migration (Nova's [libvirt] live_migration_uri; %s is
            # this host's live_migration_inbound_addr, default its host_ip).
            live_migration_uri=_env("STRATUS_LIVE_MIGRATION_URI", "qemu+tcp://%s/system"),
            live_migration_inbound_addr=_env("STRATUS_LIVE_MIGRATION_INBOUND_ADDR", ""),
            # Both ends see the instances' disks at the same path (NFS, or
            # two daemons on one machine): libvirt then migrates a writable
            # local qcow2 it would otherwise call unsafe.
            live_migration_shared_storage=_env("STRATUS_LIVE_MIGRATION_SHARED_STORAGE",
                                               False, bool),
            # A live migration still copying memory after this many seconds
            # is aborted and rolled back (0: no bound).
            live_migration_completion_timeout=_env(
                "STRATUS_LIVE_MIGRATION_COMPLETION_TIMEOUT", 800.0, float),
        )


@functools.lru_cache(maxsize=1)
def get_settings():
    """The process's settings, read once from the environment."""
    return Settings.from_env()


def reset_settings():
    """Forget the cached settings (tests change the environment)."""
    get_settings.cache_clear()
