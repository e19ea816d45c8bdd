"""Query strings of the server lists to conductor filters, as Nova's
servers index: project scoping, status, name (a regular expression) and
admin-only filters; limit/marker paging with a `servers_links` next link."""
import re

from werkzeug.exceptions import BadRequest

from stratus.api import common, compute_api, policy, server_tags
from stratus.api.microversion import is_supported
from stratus.api.views.server_status import vm_states_from_status
from stratus.common.timeutils import parse_isotime

_REGEX_CHARS = set(".^$*+?{}[]\\|()")
_FALSE = {"false", "0", "off", "no", "n", "f"}


def _truthy(value):
    # `?all_tenants` with no value means yes, as in Nova.
    return value is not None and value.strip().lower() not in _FALSE


def scope_filters(ctxt, args, listing):
    """Project scoping: admins may look across projects with all_tenants
    (anyone else asking for it gets a 403, as in Nova)."""
    filters = {}
    if _truthy(args.get("all_tenants")):
        policy.authorize(f"os_compute_api:servers:{listing}:get_all_tenants")
        project = args.get("project_id") or args.get("tenant_id")
        if project:
            filters["project_id"] = project
    else:
        filters["project_id"] = ctxt.project_id
    if ctxt.is_admin:
        if args.get("host"):
            filters["host"] = args["host"]
        if _truthy(args.get("deleted")):
            filters["deleted"] = True
    return filters


def status_filters(args):
    """vm_state list from `status` (None: no statuses match at all)."""
    statuses = args.get("status") or []
    if not statuses:
        return {}
    vm_states = sorted({vm for s in statuses for vm in vm_states_from_status(s)})
    if not vm_states:
        return None
    filters = {"vm_state": vm_states}
    if "deleted" in vm_states:
        filters["deleted"] = True
    return filters


def catalog_and_time_filters(args):
    """`reservation_id` (the servers of one multi-create), `image` (an id
    or a link), `flavor` (a flavor id), and `changes-since` /
    `changes-before` (2.66), ISO 8601 times: a list
    bounded by time includes deleted servers, as Nova's (a client polling
    for changes sees deletions)."""
    filters = {}
    if args.get("reservation_id"):
        filters["reservation_id"] = args["reservation_id"]
    if args.get("image"):
        filters["image"] = common.id_from_href(args["image"])
    if args.get("flavor"):
        filters["flavor"] = common.id_from_href(args["flavor"])
    for key, name, version in (("changes_since", "changes-since", "2.1"),
                               ("changes_before", "changes-before", "2.66")):
        if args.get(key) is None or not is_supported(version):
            continue
        try:
            moment = parse_isotime(args[key])
        except ValueError:
            moment = None
        if moment is None:  # also an empty value, which parses as no time
            raise BadRequest(f"Invalid filter field: {name}.")
        filters[key] = moment.isoformat()
        filters["deleted"] = True
    since, before = filters.get("changes_since"), filters.get("changes_before")
    if since and before and since > before:
        raise BadRequest("The value of changes-since must be less than or equal to "
                         "changes-before.")
    return filters


def list_instances(ctxt, args, listing, with_tags=False):
    """(instances of this page, page size, {uuid: [tag, ...]}); `listing`
    is index or detail. The tags are those the views show
    (server_tags.shown), when `with_tags` asks for them, else {}."""
    limit = common.limit_from(args)
    filters = scope_filters(ctxt, args, listing)
    by_status = status_filters(args)
    if by_status is None:
        return [], limit, {}
    filters.update(by_status)
    filters.update(server_tags.list_filters(args))
    filters.update(catalog_and_time_filters(args))
    for key, version in (("ip", 4), ("ip6", 6)):
        if args.get(key):
            filters["uuid"] = with_address(ctxt, args[key], version, filters.get("uuid"))
    if filters.get("uuid") == []:
        return [], limit, {}
    with_tags = with_tags and server_tags.shown()
    name = args.get("name")
    if name and _REGEX_CHARS & set(name):
        instances = _by_regex(ctxt, filters, name, limit, args.get("marker"))
        return instances, limit, server_tags.tags_by_server(ctxt, instances) if with_tags else {}
    if name:
        # A name without regex characters: a regex search is a substring match.
        filters["name"] = name
    instances, tags = _page(ctxt, filters, limit, args.get("marker"), with_tags)
    return instances, limit, tags


def _page(ctxt, filters, limit, marker, with_tags):
    """(a page of instances, their tags if `with_tags`, else {}): in one
    conductor call where the conductor serves it, else in two."""
    if with_tags and common.conductor().can_send_version(server_tags.LIST_WITH_TAGS_RPC_VERSION):
        return compute_api.get_all_with_tags(ctxt, filters, limit, marker)
    instances = compute_api.get_all(ctxt, filters, limit, marker)
    return instances, server_tags.tags_by_server(ctxt, instances) if with_tags else {}


def with_address(ctxt, pattern, version, among=None):
    """The servers with a port whose address of IP `version` matches the
    regular expression `pattern` (Nova's `ip` and `ip6` filters), found
    through the network service: one conductor call."""
    try:
        regex = re.compile(pattern)
    except re.error:
        raise BadRequest(f"Invalid regular expression for ip: {pattern}") from None
    separator = ":" if version == 6 else "."
    found = {port["device_id"] for port in common.conductor().net_list(ctxt, "port")
             if port["device_id"] and any(
                 separator in fixed["ip_address"] and regex.search(fixed["ip_address"])
                 for fixed in port["fixed_ips"])}
    return sorted(found if among is None else found & set(among))


def _by_regex(ctxt, filters, name, limit, marker):
    """Nova matches `name` as a regular expression: filter and page here."""
    try:
        pattern = re.compile(name)
    except re.error:
        raise BadRequest(f"Invalid regular expression for name: {name}") from None
    instances = compute_api.get_all(ctxt, filters, None, None)
    matching = [i for i in instances if pattern.search(i.display_name or "")]
    return common.page(matching, limit, marker, key=lambda i: i.uuid)

