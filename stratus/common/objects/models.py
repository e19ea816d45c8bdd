"""The wire objects the roles exchange. Field names follow Nova's."""
import dataclasses
from dataclasses import field

from stratus.common.objects.base import StratusObject, register
from stratus.common.vocabulary import ImageStatus


@register
@dataclasses.dataclass
class Flavor(StratusObject):
    """A server size: vCPUs, RAM (MB), root/ephemeral disk (GB), swap (MB)."""

    id: int
    flavorid: str
    name: str
    vcpus: int
    memory_mb: int
    root_gb: int
    ephemeral_gb: int = 0
    swap: int = 0
    rxtx_factor: float = 1.0
    is_public: bool = True
    disabled: bool = False
    description: str | None = None
    extra_specs: dict = field(default_factory=dict)


@register
@dataclasses.dataclass
class Image(StratusObject):
    """A bootable image in the image store (Glance-v2 fields).

    1.1: properties (Glance's extra properties), os_hash_algo, os_hash_value."""

    VERSION = "1.1"

    id: str
    name: str
    status: str = ImageStatus.ACTIVE
    disk_format: str = "qcow2"
    container_format: str = "bare"
    size: int = 0
    checksum: str | None = None
    visibility: str = "public"
    min_disk: int = 0
    min_ram: int = 0
    file: str | None = None
    owner: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    properties: dict = field(default_factory=dict)
    os_hash_algo: str | None = None
    os_hash_value: str | None = None


@register
@dataclasses.dataclass
class Instance(StratusObject):
    """A server, as every role but the conductor sees it.

    1.1: system_metadata.
    1.2: user_data, description.
    1.3: network_info (the server's ports, as the compute plugs them)."""

    VERSION = "1.3"

    uuid: str
    display_name: str
    project_id: str
    user_id: str
    vm_state: str
    task_state: str | None = None
    power_state: int = 0
    host: str | None = None
    node: str | None = None
    availability_zone: str | None = None
    flavor: Flavor | None = None
    image_ref: str = ""
    vcpus: int = 0
    memory_mb: int = 0
    root_gb: int = 0
    ephemeral_gb: int = 0
    metadata: dict = field(default_factory=dict)
    key_name: str | None = None
    access_ip_v4: str | None = None
    access_ip_v6: str | None = None
    launched_at: str | None = None
    terminated_at: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    deleted_at: str | None = None
    deleted: bool = False
    launch_index: int = 0
    reservation_id: str | None = None
    config_drive: str = ""
    locked: bool = False
    locked_by: str | None = None
    locked_reason: str | None = None
    user_data: str | None = None
    description: str | None = None
    key_data: str | None = None
    fault: dict | None = None
    id: int | None = None
    system_metadata: dict = field(default_factory=dict)
    # One dict per port: port_id, mac, network_id, network_name, subnet_id,
    # cidr, gateway, ip, ip_version, dns_nameservers, mtu.
    network_info: list = field(default_factory=list)


@register
@dataclasses.dataclass
class ComputeNode(StratusObject):
    """A hypervisor's totals and usage, with its service's state."""

    id: int
    host: str
    hypervisor_hostname: str
    hypervisor_type: str
    hypervisor_version: int
    vcpus: int
    memory_mb: int
    local_gb: int
    vcpus_used: int = 0
    memory_mb_used: int = 0
    local_gb_used: int = 0
    running_vms: int = 0
    cpu_allocation_ratio: float = 1.0
    ram_allocation_ratio: float = 1.0
    disk_allocation_ratio: float = 1.0
    host_ip: str = "127.0.0.1"
    uuid: str | None = None
    service_id: int | None = None
    service_disabled: bool = False
    service_disabled_reason: str | None = None
    service_up: bool = True
    availability_zone: str = "nova"
    updated_at: str | None = None
    # {key: [values]} of the host's aggregates' metadata, for the filters.
    aggregate_metadata: dict = field(default_factory=dict)


@register
@dataclasses.dataclass
class Service(StratusObject):
    """A role's process on a host, with its last heartbeat."""

    id: int
    host: str
    binary: str
    topic: str
    report_count: int = 0
    disabled: bool = False
    disabled_reason: str | None = None
    forced_down: bool = False
    availability_zone: str = "nova"
    updated_at: str | None = None
    created_at: str | None = None
    last_seen_up: str | None = None
    up: bool = False
    uuid: str | None = None
    version: int = 1


@register
@dataclasses.dataclass
class Selection(StratusObject):
    """One destination chosen by the scheduler (claimed or an alternate)."""

    host: str
    nodename: str
    compute_node_id: int
    claimed: bool = False


@register
@dataclasses.dataclass
class KeyPair(StratusObject):
    """A user's public key (ssh or x509), injected into servers by name."""

    id: int
    name: str
    user_id: str
    fingerprint: str
    public_key: str
    type: str = "ssh"
    created_at: str | None = None
    updated_at: str | None = None


@register
@dataclasses.dataclass
class InstanceActionEvent(StratusObject):
    """One step of an instance action on one host, with the Celery task
    that ran it."""

    event: str
    start_time: str | None = None
    finish_time: str | None = None
    result: str | None = None
    traceback: str | None = None
    details: str | None = None
    host: str | None = None
    task_id: str | None = None


@register
@dataclasses.dataclass
class InstanceAction(StratusObject):
    """A user's request on an instance (stop, reboot...); `events` only
    when asked for one action."""

    action: str
    instance_uuid: str
    request_id: str
    user_id: str | None = None
    project_id: str | None = None
    start_time: str | None = None
    finish_time: str | None = None
    updated_at: str | None = None
    message: str | None = None
    events: list = field(default_factory=list)


@register
@dataclasses.dataclass
class InstanceGroup(StratusObject):
    """A server group: a placement policy over its members (live
    instances only; a deleted server leaves its group)."""

    uuid: str
    name: str
    project_id: str
    user_id: str
    policy: str
    rules: dict = field(default_factory=dict)
    members: list = field(default_factory=list)
    id: int | None = None
    created_at: str | None = None


# certificates
@register
@dataclasses.dataclass
class Certificate(StratusObject):
    """A certificate the cert role signed: what a revocation and the CRL
    need of it (its serial in hex, and when it was revoked)."""

    serial: str
    user_id: str
    project_id: str
    revoked: bool = False
    revoked_at: str | None = None
    created_at: str | None = None


# migrations
@register
@dataclasses.dataclass
class Migration(StratusObject):
    """One move of a server (Nova's Migration): its type, status, hosts
    and flavors; `migrate_data` is what the hosts of a live migration
    agreed on."""

    id: int
    uuid: str
    instance_uuid: str
    migration_type: str
    status: str
    source_compute: str | None = None
    source_node: str | None = None
    dest_compute: str | None = None
    dest_node: str | None = None
    dest_host: str | None = None
    source_node_id: int | None = None
    dest_node_id: int | None = None
    old_flavor: Flavor | None = None
    new_flavor: Flavor | None = None
    project_id: str | None = None
    user_id: str | None = None
    migrate_data: dict = field(default_factory=dict)
    memory_total: int | None = None
    memory_processed: int | None = None
    memory_remaining: int | None = None
    disk_total: int | None = None
    disk_processed: int | None = None
    disk_remaining: int | None = None
    error: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


@register
@dataclasses.dataclass
class Aggregate(StratusObject):
    """A host aggregate: its hosts and metadata (`availability_zone` among them)."""

    id: int
    uuid: str
    name: str
    hosts: list = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def availability_zone(self):
        return self.metadata.get("availability_zone")
