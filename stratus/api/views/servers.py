"""Nova's server views (v2.1 to 2.96).

A page of /servers/detail shows up to 1,000 servers: what their views read
of the request (its microversion, whether the caller is an admin, the base
URL, the hosts' services) is read once per request into a Page, not once
per server; the per-server steps are plain dict work."""
import hashlib
import re

from stratus.api import common, compute_api, disk_config, policy
from stratus.api.microversion import is_supported
from stratus.api.views import flavors as flavor_views
from stratus.api.views.addresses import addresses
from stratus.api.views.server_status import status_from_state

# Statuses that show `progress`, and those that show a `fault` (Nova's).
_PROGRESS_STATUSES = ("ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING")
_FAULT_STATUSES = ("ERROR", "DELETED")
# The microversions that change a server's view.
_VERSIONS = ("2.3", "2.9", "2.16", "2.19", "2.26", "2.47", "2.63", "2.73", "2.96")
# What a DNS-safe hostname replaces: str.isalnum()'s complement but "-" (\w is
# isalnum() and "_").
_NOT_HOSTNAME = re.compile(r"[^\w-]|_")


class Page:
    """What the views of one request share, read from it once."""

    def __init__(self):
        self.base = common.base_url()
        self.admin = policy.is_admin()
        self.since = {version: is_supported(version) for version in _VERSIONS}
        self._zones, self._statuses, self._host_ids = {}, {}, {}

    def links(self, uuid):
        return common.links("servers", uuid, self.base)

    def bookmark(self, collection, item_id):
        return common.bookmark(collection, item_id, self.base)

    def host_zone(self, host):
        if host not in self._zones:
            self._zones[host] = compute_api.host_zone(host)
        return self._zones[host]

    def host_status(self, host):
        if host not in self._statuses:
            self._statuses[host] = compute_api.host_status(host)
        return self._statuses[host]

    def host_id(self, project_id, host):
        """A per-project opaque host id: sha224(project_id + host), as Nova."""
        if not host:
            return ""
        key = (project_id, host)
        if key not in self._host_ids:
            self._host_ids[key] = hashlib.sha224((str(project_id) + host).encode()).hexdigest()
        return self._host_ids[key]


def basic(instance):
    """The list entry: id, name, links."""
    return {"id": instance.uuid, "name": instance.display_name,
            "links": common.links("servers", instance.uuid)}


def image(instance, page):
    """{"id", "links"}, or "" for a server without an image (never null)."""
    if not instance.image_ref:
        return ""
    image_id = common.id_from_href(instance.image_ref)
    return {"id": image_id, "links": page.bookmark("images", image_id)}


def fault(instance, page):
    """The instance's last fault; details only for admins or non-500 codes."""
    data = instance.fault or {}
    if not data:
        return None
    view = {"code": data.get("code"), "message": data.get("message"),
            "created": common.isotime(data.get("created_at") or data.get("created"))}
    if data.get("details") and (page.admin or data.get("code") != 500):
        view["details"] = data["details"]
    return view


def _flavor(flavor, page):
    """The flavor inside a server: a link before 2.47, a copy from 2.47."""
    if flavor is None:
        return {}
    if not page.since["2.47"]:
        return {"id": flavor.flavorid, "links": page.bookmark("flavors", flavor.flavorid)}
    return flavor_views.copied(flavor)


def _core(instance, status, extended, page):
    return {
        "id": instance.uuid,
        "name": instance.display_name,
        "status": status,
        "tenant_id": instance.project_id or "",
        "user_id": instance.user_id or "",
        "metadata": dict(instance.metadata or {}),
        "hostId": page.host_id(instance.project_id, instance.host),
        "image": image(instance, page),
        "flavor": _flavor(instance.flavor, page),
        "created": common.isotime(instance.created_at),
        "updated": common.isotime(instance.updated_at or instance.created_at),
        "addresses": addresses(instance, extended),
        "accessIPv4": instance.access_ip_v4 or "",
        "accessIPv6": instance.access_ip_v6 or "",
        "links": page.links(instance.uuid),
        disk_config.API_KEY: disk_config.shown(instance),
    }


def _extended(instance, groups, page):
    return {
        "key_name": instance.key_name,
        "config_drive": instance.config_drive or "",
        # The requested zone, else (once scheduled) the zone of its host.
        "OS-EXT-AZ:availability_zone": (instance.availability_zone
                                        or (instance.host and page.host_zone(instance.host))
                                        or ""),
        "OS-EXT-STS:vm_state": instance.vm_state,
        "OS-EXT-STS:task_state": instance.task_state,
        "OS-EXT-STS:power_state": instance.power_state,
        "OS-SRV-USG:launched_at": common.isotime_micro(instance.launched_at),
        "OS-SRV-USG:terminated_at": common.isotime_micro(instance.terminated_at),
        # The groups of its ports; a server with no port shows `default`.
        "security_groups": groups if groups is not None else [{"name": "default"}],
        "os-extended-volumes:volumes_attached": [],
    }


def _admin_attrs(instance, page):
    view = {"OS-EXT-SRV-ATTR:host": instance.host,
            "OS-EXT-SRV-ATTR:hypervisor_hostname": instance.node,
            "OS-EXT-SRV-ATTR:instance_name": instance_name(instance)}
    if page.since["2.3"]:
        view.update({"OS-EXT-SRV-ATTR:reservation_id": instance.reservation_id,
                     "OS-EXT-SRV-ATTR:launch_index": instance.launch_index,
                     "OS-EXT-SRV-ATTR:hostname": hostname(instance),
                     "OS-EXT-SRV-ATTR:kernel_id": "", "OS-EXT-SRV-ATTR:ramdisk_id": "",
                     "OS-EXT-SRV-ATTR:root_device_name": None,
                     "OS-EXT-SRV-ATTR:user_data": instance.user_data})
    if page.since["2.16"]:
        view["host_status"] = page.host_status(instance.host) if instance.host else ""
    return view


def _versioned(instance, tags, page):
    since, view = page.since, {}
    if since["2.9"]:
        view["locked"] = bool(instance.locked)
    if since["2.19"]:
        view["description"] = instance.description
    if since["2.26"]:
        view["tags"] = list(tags or [])
    if since["2.63"]:
        view["trusted_image_certificates"] = None
    if since["2.73"]:
        view["locked_reason"] = instance.locked_reason
    if since["2.96"]:
        view["pinned_availability_zone"] = instance.availability_zone
    return view


def instance_name(instance):
    """The hypervisor's domain name, Nova's `instance-%08x`."""
    return f"instance-{instance.id:08x}" if instance.id is not None else ""


def hostname(instance):
    """A DNS-safe name from the display name (Nova's sanitized hostname)."""
    name = _NOT_HOSTNAME.sub("-", instance.display_name.lower())
    return name.strip("-")[:63] or "server"


def show(instance, tags=None, extended=True, groups=None, page=None):
    """The full server, as GET /servers/{id} and /servers/detail show it;
    `tags` (shown from 2.26) come from server_tags.tags_by_server, `groups`
    from security_group_api.names_by_server; `page`: the request's Page
    (one is made when not given). Without `extended`, what Nova's PUT and
    rebuild answer before 2.75: no zone, key, config drive, states, usage,
    security groups, volumes or admin attributes."""
    page = page or Page()
    status = status_from_state(instance.vm_state, instance.task_state)
    view = _core(instance, status, extended, page)
    if status in _PROGRESS_STATUSES:
        view["progress"] = 100 if status == "ACTIVE" else 0
    if extended:
        view.update(_extended(instance, groups, page))
        if groups == []:
            del view["security_groups"]  # ports in no group: Nova shows no key
        if page.admin:
            view.update(_admin_attrs(instance, page))
    view.update(_versioned(instance, tags, page))
    last_fault = fault(instance, page) if status in _FAULT_STATUSES else None
    if last_fault:
        view["fault"] = last_fault
    return view


def show_all(instances, tags, groups):
    """The detail views of a page of servers ({uuid: ...} tags and groups)."""
    page = Page()
    return [show(i, tags.get(i.uuid), groups=groups.get(i.uuid), page=page) for i in instances]
