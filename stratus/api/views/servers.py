"""Nova's server views (v2.1 to 2.96)."""
import hashlib

from stratus.api import common, compute_api, disk_config, policy
from stratus.api.microversion import is_supported
from stratus.api.views import flavors as flavor_views
from stratus.api.views.addresses import addresses
from stratus.api.views.server_status import status_from_state

# Statuses that show `progress`, and those that show a `fault` (Nova's).
_PROGRESS_STATUSES = ("ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING")
_FAULT_STATUSES = ("ERROR", "DELETED")


def basic(instance):
    """The list entry: id, name, links."""
    return {"id": instance.uuid, "name": instance.display_name,
            "links": common.links("servers", instance.uuid)}


def host_id(instance):
    """A per-project opaque host id: sha224(project_id + host), as Nova."""
    if not instance.host:
        return ""
    return hashlib.sha224((str(instance.project_id) + instance.host).encode()).hexdigest()


def image(instance):
    """{"id", "links"}, or "" for a server without an image (never null)."""
    if not instance.image_ref:
        return ""
    image_id = common.id_from_href(instance.image_ref)
    return {"id": image_id, "links": common.bookmark("images", image_id)}


def fault(instance):
    """The instance's last fault; details only for admins or non-500 codes."""
    data = instance.fault or {}
    if not data:
        return None
    view = {"code": data.get("code"), "message": data.get("message"),
            "created": common.isotime(data.get("created_at") or data.get("created"))}
    if data.get("details") and (policy.is_admin() or data.get("code") != 500):
        view["details"] = data["details"]
    return view


def _core(instance, status, extended):
    return {
        "id": instance.uuid,
        "name": instance.display_name,
        "status": status,
        "tenant_id": instance.project_id or "",
        "user_id": instance.user_id or "",
        "metadata": dict(instance.metadata or {}),
        "hostId": host_id(instance),
        "image": image(instance),
        "flavor": flavor_views.embedded(instance.flavor),
        "created": common.isotime(instance.created_at),
        "updated": common.isotime(instance.updated_at or instance.created_at),
        "addresses": addresses(instance, extended),
        "accessIPv4": instance.access_ip_v4 or "",
        "accessIPv6": instance.access_ip_v6 or "",
        "links": common.links("servers", instance.uuid),
        disk_config.API_KEY: disk_config.shown(instance),
    }


def _extended(instance, groups):
    return {
        "key_name": instance.key_name,
        "config_drive": instance.config_drive or "",
        # The requested zone, else (once scheduled) the zone of its host.
        "OS-EXT-AZ:availability_zone": (instance.availability_zone
                                        or compute_api.host_zone(instance.host) or ""),
        "OS-EXT-STS:vm_state": instance.vm_state,
        "OS-EXT-STS:task_state": instance.task_state,
        "OS-EXT-STS:power_state": instance.power_state,
        "OS-SRV-USG:launched_at": common.isotime_micro(instance.launched_at),
        "OS-SRV-USG:terminated_at": common.isotime_micro(instance.terminated_at),
        # The groups of its ports; a server with no port shows `default`.
        "security_groups": groups if groups is not None else [{"name": "default"}],
        "os-extended-volumes:volumes_attached": [],
    }


def _admin_attrs(instance):
    view = {"OS-EXT-SRV-ATTR:host": instance.host,
            "OS-EXT-SRV-ATTR:hypervisor_hostname": instance.node,
            "OS-EXT-SRV-ATTR:instance_name": instance_name(instance)}
    if is_supported("2.3"):
        view.update({"OS-EXT-SRV-ATTR:reservation_id": instance.reservation_id,
                     "OS-EXT-SRV-ATTR:launch_index": instance.launch_index,
                     "OS-EXT-SRV-ATTR:hostname": hostname(instance),
                     "OS-EXT-SRV-ATTR:kernel_id": "", "OS-EXT-SRV-ATTR:ramdisk_id": "",
                     "OS-EXT-SRV-ATTR:root_device_name": None,
                     "OS-EXT-SRV-ATTR:user_data": instance.user_data})
    return view


def _versioned(instance, tags):
    view = {}
    if is_supported("2.9"):
        view["locked"] = bool(instance.locked)
    if is_supported("2.19"):
        view["description"] = instance.description
    if is_supported("2.26"):
        view["tags"] = list(tags or [])
    if is_supported("2.63"):
        view["trusted_image_certificates"] = None
    if is_supported("2.73"):
        view["locked_reason"] = instance.locked_reason
    if is_supported("2.96"):
        view["pinned_availability_zone"] = instance.availability_zone
    return view


def instance_name(instance):
    """The hypervisor's domain name, Nova's `instance-%08x`."""
    return f"instance-{instance.id:08x}" if instance.id is not None else ""


def hostname(instance):
    """A DNS-safe name from the display name (Nova's sanitized hostname)."""
    name = "".join(c if c.isalnum() or c == "-" else "-" for c in instance.display_name.lower())
    return name.strip("-")[:63] or "server"


def show(instance, tags=None, extended=True, groups=None):
    """The full server, as GET /servers/{id} and /servers/detail show it;
    `tags` (shown from 2.26) come from server_tags.tags_by_server, `groups`
    from security_group_api.names_by_server. Without
    `extended`, what Nova's PUT and rebuild answer before 2.75: no zone,
    key, config drive, states, usage, security groups, volumes or admin
    attributes."""
    status = status_from_state(instance.vm_state, instance.task_state)
    view = _core(instance, status, extended)
    if status in _PROGRESS_STATUSES:
        view["progress"] = 100 if status == "ACTIVE" else 0
    if extended:
        view.update(_extended(instance, groups))
        if groups == []:
            del view["security_groups"]  # ports in no group: Nova shows no key
    if extended and policy.is_admin():
        view.update(_admin_attrs(instance))
        if is_supported("2.16"):
            view["host_status"] = compute_api.host_status(instance.host)
    view.update(_versioned(instance, tags))
    last_fault = fault(instance) if status in _FAULT_STATUSES else None
    if last_fault:
        view["fault"] = last_fault
    return view
