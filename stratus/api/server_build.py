"""Turn a validated create-server body into the instance values and the
request spec the conductor builds from (Nova's _validate_and_build_base_options).

Every check runs before anything is recorded, so a bad request leaves
nothing behind."""
import dataclasses
import secrets
import string
import time
import uuid

from stratus.api import (common, disk_config, image_api, policy, server_groups,
                         server_networks)
from stratus.api.schemas.servers import BlockDeviceMappingV2
from stratus.config import get_settings
from stratus.common import exception
from stratus.common.boot_catalog import (check_flavor, check_flavor_fits, check_image, checked,
                                         instance_values)
from stratus.common.vocabulary import PowerState, TaskState, VmState


@dataclasses.dataclass
class Plan:
    """What create() sends: one values dict per instance, one request spec."""

    instances: list
    request_spec: dict
    reservation_id: str
    admin_pass: str
    # The fewest instances worth creating when the quota cannot take all.
    min_count: int = 1
    # (flavorid, image_id) when the conductor reads and checks the flavor
    # and the image as it records the servers (RPC 1.12): the instances
    # and the spec leave them out. None: resolved here, and in them.
    refs: tuple = None


def plan(ctxt, server, scheduler_hints):
    """Validate the request against flavors, images and zones; build the plan.

    Of the scheduler hints `group` (a server group), `same_host` and
    `different_host` are used; the others are accepted (clients send
    them) and ignored."""
    zone, host, node = destination(server)  # a 403 before any lookup, as Nova
    flavor, image, refs = flavor_and_image(ctxt, server)
    count = instance_count(server)
    requested = server_networks.requested_networks(ctxt, server.get("networks"), count)
    zone, force_hosts = check_zone(ctxt, zone), forced_hosts(ctxt, host, node)
    reservation_id = new_reservation_id()
    spec = {"flavor": flavor, "image": image, "availability_zone": zone,
            "project_id": ctxt.project_id, "user_id": ctxt.user_id, "ignore_hosts": [],
            "force_hosts": force_hosts, "num_instances": count,
            "group": server_groups.requested_group(ctxt, scheduler_hints),
            "requested_networks": requested,
            "security_groups": server_networks.security_groups(
                ctxt, server.get("security_groups"), requested),
            **hinted_hosts(ctxt, scheduler_hints)}
    base = base_values(ctxt, server, flavor, image, zone, reservation_id)
    base["key_data"] = key_data(ctxt, server.get("key_name"))
    instances = [dict(base, uuid=str(uuid.uuid4()), launch_index=index,
                      display_name=display_name(server["name"], index, count))
                 for index in range(count)]
    return Plan(instances, spec, reservation_id, server.get("adminPass") or new_password(),
                min_count=server.get("min_count", 1), refs=refs)


# The conductors that give a boot's flavor and image in one call.
ONE_LOOKUP_SINCE = "1.9"
# The conductors that read and check them as they record the servers.
BY_REF_SINCE = "1.12"


def flavor_and_image(ctxt, server):
    """(flavor, image, None) of a boot, resolved and checked here; or
    (None, None, (flavorid, image_id)) for the conductor to read and check
    in create_instances_by_ref, where the conductors allow it."""
    try:
        image_id = image_id_of(server)
    except exception.Invalid:
        resolve_flavor(ctxt, server["flavorRef"])  # its 400 comes first, as before
        raise
    if common.conductor().can_send_version(BY_REF_SINCE):
        return None, None, (common.id_from_href(server["flavorRef"]), str(image_id))
    return (*resolve_flavor_and_image(ctxt, server["flavorRef"], image_id), None)


def resolve_flavor_and_image(ctxt, flavor_ref, image_id):
    """(flavor, image) of a boot once checked (boot_catalog.checked): one
    conductor call where the conductors allow it."""
    conductor = common.conductor()
    if not conductor.can_send_version(ONE_LOOKUP_SINCE):
        flavor, image = resolve_flavor(ctxt, flavor_ref), resolve_image(ctxt, image_id)
        check_flavor_fits(flavor, image)
        return flavor, image
    try:
        flavor, image = conductor.flavor_and_image_get(
            ctxt, common.id_from_href(flavor_ref), str(image_id))
    except exception.FlavorNotFound as exc:
        raise exception.Invalid(exc.message) from None
    return checked(ctxt, flavor, image, image_id)


def resolve_flavor(ctxt, flavor_ref):
    """The flavor named by an id or a link; unknown or disabled is a 400."""
    try:
        flavor = common.conductor().flavor_get(ctxt, common.id_from_href(flavor_ref))
    except exception.FlavorNotFound as exc:
        raise exception.Invalid(exc.message) from None
    return check_flavor(flavor)


def image_id_of(server):
    """imageRef (id or link), else the image of a boot_index 0 mapping."""
    if server.get("imageRef"):
        return common.id_from_href(server["imageRef"])
    bdms = server.get("block_device_mapping_v2") or []
    for bdm in bdms:
        if BlockDeviceMappingV2.boot_index_of(bdm) == 0:
            if bdm.get("source_type") != "image" or not bdm.get("uuid"):
                # No volume service here: only image-backed roots can boot.
                raise exception.Invalid("Only source_type=image can be the boot device "
                                        "(there is no volume service).")
            return bdm["uuid"]
    raise exception.Invalid("Missing imageRef attribute")


def resolve_image(ctxt, image_id):
    """The image to boot; unknown (or another project's private one) or
    not active is a 400."""
    try:
        image = image_api.get(ctxt, image_id)
    except exception.ImageNotFound as exc:
        raise exception.Invalid(exc.message) from None
    return check_image(image, image_id)


def instance_count(server):
    """How many to create: max_count (default min_count, default 1)."""
    min_count = server.get("min_count", 1)
    max_count = server.get("max_count", min_count)
    if min_count > max_count:
        raise exception.Invalid("min_count must be <= max_count")
    return max_count


def resolve_zone(ctxt, server):
    """(zone, force_hosts) for `server`'s availability_zone (and 2.74's
    host / hypervisor_hostname): see destination, check_zone, forced_hosts."""
    zone, host, node = destination(server)
    return check_zone(ctxt, zone), forced_hosts(ctxt, host, node)


def destination(server):
    """(zone, host, node) asked for. The legacy "zone:host", "zone::node"
    and "zone:host:node" forms need the forced_host rule; 2.74's host and
    hypervisor_hostname the requested_destination rule (both admin-only
    by default), and the two ways together are a 400, as in Nova."""
    zone, host, node = parse_zone(server.get("availability_zone") or "")
    if host or node:
        policy.authorize("os_compute_api:servers:create:forced_host")
    if server.get("host") or server.get("hypervisor_hostname"):
        policy.authorize("compute:servers:create:requested_destination")
        if host or node:
            raise exception.Invalid("One mechanism with host and/or hypervisor_hostname and "
                                    "another mechanism with zone:host:node are mutually "
                                    "exclusive.")
        host, node = server.get("host"), server.get("hypervisor_hostname")
    return zone, host or None, node or None


def parse_zone(requested):
    """Nova's parse_availability_zone: "zone", "zone:host", "zone::node" or
    "zone:host:node" -> (zone, host, node), a part left out being "";
    more colons are a 400."""
    parts = requested.split(":")
    if len(parts) > 3:
        raise exception.Invalid("Unable to parse availability_zone")
    return tuple(parts + [""] * (3 - len(parts)))


def check_zone(ctxt, zone):
    """The zone to schedule in (the default one if none was asked for);
    400 unless some host is in it."""
    zone = zone or get_settings().default_schedule_zone or None
    if zone and not _ZONES.has(ctxt, zone):
        raise exception.Invalid(f"The requested availability zone is not available: {zone}")
    return zone


def forced_hosts(ctxt, host, node):
    """The hosts the scheduler must choose from: the host asked for, or
    the host of the node asked for (a host has one node here); a node no
    host has is a 400."""
    if not node:
        return [host] if host else []
    hosts = sorted({n.host for n in common.conductor().compute_node_get_all(ctxt)
                    if n.hypervisor_hostname == node and host in (None, n.host)})
    if not hosts:
        raise exception.Invalid(f"Compute host {host or node} could not be found.")
    return hosts


def hinted_hosts(ctxt, hints):
    """{"same_host": [...], "different_host": [...]}: the hosts of the
    servers the hints name (a uuid or a list of them), for the scheduler's
    SameHostFilter and DifferentHostFilter; a same_host hint whose servers
    have no host leaves no host to choose, as Nova's."""
    found = {}
    for key in ("same_host", "different_host"):
        wanted = hints.get(key)
        if wanted is None:
            continue
        uuids = [wanted] if isinstance(wanted, str) else wanted
        if not isinstance(uuids, list) or not all(common.is_uuid_like(u) for u in uuids):
            raise exception.Invalid(f"Invalid input for field/attribute {key}. Value: {wanted}. "
                                    "Must be a server uuid or a list of them.")
        servers = common.conductor().instance_get_all(ctxt, {"uuid": uuids}) if uuids else []
        found[key] = sorted({s.host for s in servers if s.host})
    return found


def key_data(ctxt, key_name):
    """The public key of the user's key pair `key_name` (recorded on the
    instance, as Nova); an unknown name is a 400."""
    if key_name is None:
        return None
    try:
        return common.conductor().keypair_get(ctxt, ctxt.user_id, key_name).public_key
    except exception.KeypairNotFound:
        raise exception.Invalid("Invalid key_name provided.") from None


def known_zones(ctxt):
    return {node.availability_zone for node in common.conductor().compute_node_get_all(ctxt)}


class _ZoneCache:
    """Zones seen recently. A zone in the cache is accepted without asking
    the conductor (reading every node on every boot was one conductor call
    in eight); an unknown one is checked on fresh data, so a new zone is
    never refused. A zone whose hosts are all gone is accepted for at most
    TTL seconds, and then the scheduler explains the failure."""

    TTL = 10.0

    def __init__(self):
        self._zones, self._read_at = frozenset(), float("-inf")

    def has(self, ctxt, zone):
        if zone in self._zones and time.monotonic() - self._read_at < self.TTL:
            return True
        self._zones, self._read_at = frozenset(known_zones(ctxt)), time.monotonic()
        return zone in self._zones


_ZONES = _ZoneCache()


def base_values(ctxt, server, flavor, image, zone, reservation_id):
    """The instance columns shared by every instance of the request."""
    return {
        "project_id": ctxt.project_id, "user_id": ctxt.user_id,
        "vm_state": VmState.BUILDING, "task_state": TaskState.SCHEDULING,
        "power_state": PowerState.NOSTATE,
        # Left to the conductor when it reads them (Plan.refs).
        **(instance_values(flavor, image) if flavor is not None else {}),
        "metadata": dict(server.get("metadata") or {}),
        "availability_zone": zone, "key_name": server.get("key_name"),
        "reservation_id": reservation_id,
        "config_drive": "True" if server.get("config_drive") else "",
        "access_ip_v4": str(server["accessIPv4"]) if server.get("accessIPv4") else None,
        "access_ip_v6": str(server["accessIPv6"]) if server.get("accessIPv6") else None,
        "system_metadata": disk_config.recorded({}, server.get("disk_config") == "AUTO"),
        "user_data": server.get("user_data"), "description": server.get("description"),
    }


def display_name(name, index, count):
    """Nova's multi-create template, '%(name)s-%(count)d' (1-based)."""
    return f"{name}-{index + 1}" if count > 1 else name


def new_reservation_id():
    return "r-" + "".join(secrets.choice(string.ascii_lowercase + string.digits)
                          for _ in range(8))


def new_password(length=12):
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))
