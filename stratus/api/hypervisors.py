"""/v2.1/os-hypervisors: list, detail and show (admin), from the
conductor's compute nodes. Ids are UUIDs from microversion 2.53."""
from flask.views import MethodView
from marshmallow import fields

from stratus.api import common, policy
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.common import PagingQuery
from stratus.api.schemas.fields import NovaBoolean
from stratus.api.schemas.responses import (HypervisorResponse, HypervisorsResponse,
                                           HypervisorStatisticsResponse)
from stratus.common import exception

blp = Blueprint("hypervisors", __name__, url_prefix="/v2.1", description="Hypervisors (admin)")


class HypervisorListQuery(PagingQuery):
    """Filters of the hypervisor lists."""

    hypervisor_hostname_pattern = fields.String(metadata={"description": "A substring."})
    with_servers = NovaBoolean()


def node_id(node):
    return node.uuid if is_supported("2.53") and node.uuid else node.id


def basic(node):
    return {"id": node_id(node), "hypervisor_hostname": node.hypervisor_hostname,
            "state": "up" if node.service_up else "down",
            "status": "disabled" if node.service_disabled else "enabled"}


def _usage(node):
    """The resource fields Nova dropped in 2.88."""
    free_disk = node.local_gb - node.local_gb_used
    return {"vcpus": node.vcpus, "memory_mb": node.memory_mb, "local_gb": node.local_gb,
            "vcpus_used": node.vcpus_used, "memory_mb_used": node.memory_mb_used,
            "local_gb_used": node.local_gb_used,
            "free_ram_mb": node.memory_mb - node.memory_mb_used, "free_disk_gb": free_disk,
            "current_workload": 0, "running_vms": node.running_vms,
            "disk_available_least": free_disk,
            "cpu_info": {} if is_supported("2.28") else ""}


# The sums os-hypervisors/statistics shows (Nova's, without cpu_info).
_STATISTICS = ("vcpus", "memory_mb", "local_gb", "vcpus_used", "memory_mb_used",
               "local_gb_used", "free_ram_mb", "free_disk_gb", "current_workload",
               "running_vms", "disk_available_least")


def detail(node, services):
    """The full hypervisor with its service."""
    service = services.get(node.service_id)
    view = basic(node)
    view.update({"host_ip": node.host_ip, "hypervisor_type": node.hypervisor_type,
                 "hypervisor_version": node.hypervisor_version,
                 "service": {"host": node.host,
                             "id": (service.uuid if service and service.uuid and
                                    is_supported("2.53") else node.service_id),
                             "disabled_reason": node.service_disabled_reason}})
    if is_supported("2.88"):
        view["uptime"] = _uptime(node)
    else:
        view.update(_usage(node))
    return view


def _uptime(node):
    """The host's `uptime` line, asked of its compute (None while it is
    down or cannot answer, as Nova shows it)."""
    if not node.service_up:
        return None
    try:
        return common.compute().get_host_uptime(get_context(), node.host)
    except (exception.MessagingTimeout, exception.ServiceUnavailable,
            exception.VersionCapExceeded):
        return None


def _found(ctxt, hypervisor_id):
    for node in common.conductor().compute_node_get_all(ctxt):
        if str(node_id(node)) == hypervisor_id:
            return node
    raise exception.NotFound(f"Hypervisor with ID {hypervisor_id} could not be found.")


def _matching(ctxt, pattern):
    """Nodes whose hostname contains `pattern`; 404 when none does."""
    nodes = [n for n in sorted(common.conductor().compute_node_get_all(ctxt), key=lambda n: n.id)
             if pattern in n.hypervisor_hostname]
    if not nodes:
        raise exception.NotFound(f"No hypervisor matching '{pattern}' could be found.")
    return nodes


def _removed_in(version):
    """Nova's routes gone from a microversion on: 404 there."""
    if is_supported(version):
        raise exception.NotFound("The resource could not be found.")


def _servers(ctxt, node):
    instances = common.conductor().instance_get_all(ctxt, filters={"host": node.host})
    return [{"name": i.display_name, "uuid": i.uuid} for i in instances
            if i.node in (None, node.hypervisor_hostname)]


def _nodes(ctxt, args):
    nodes = sorted(common.conductor().compute_node_get_all(ctxt), key=lambda n: n.id)
    pattern = args.get("hypervisor_hostname_pattern")
    if pattern:
        nodes = [n for n in nodes if pattern in n.hypervisor_hostname]
    limit = common.limit_from(args)
    return common.page(nodes, limit, args.get("marker"), key=lambda n: str(node_id(n))), limit


def _listing(args, render, collection):
    ctxt = get_context()
    nodes, limit = _nodes(ctxt, args)
    items = []
    for node in nodes:
        item = render(node)
        if args.get("with_servers") and is_supported("2.53"):
            item["servers"] = _servers(ctxt, node)
        items.append(item)
    return common.listing("hypervisors", items, limit, collection)


def _services(ctxt):
    return {s.id: s for s in common.conductor().service_get_all(ctxt)}


@blp.route("/os-hypervisors")
class Hypervisors(MethodView):
    """Hypervisors."""

    @blp.arguments(HypervisorListQuery, location="query")
    @blp.response(200, HypervisorsResponse)
    def get(self, args):
        """List hypervisors (id, hostname, state, status)."""
        policy.authorize("os_compute_api:os-hypervisors:list")
        return _listing(args, basic, "os-hypervisors")


@blp.route("/os-hypervisors/detail")
class HypervisorsDetail(MethodView):
    """Hypervisors with details."""

    @blp.arguments(HypervisorListQuery, location="query")
    @blp.response(200, HypervisorsResponse)
    def get(self, args):
        """List hypervisors with details."""
        policy.authorize("os_compute_api:os-hypervisors:list-detail")
        services = _services(get_context())
        return _listing(args, lambda node: detail(node, services), "os-hypervisors/detail")


@blp.route("/os-hypervisors/<hypervisor_id>")
class Hypervisor(MethodView):
    """One hypervisor."""

    @blp.response(200, HypervisorResponse)
    def get(self, hypervisor_id):
        """Show a hypervisor."""
        policy.authorize("os_compute_api:os-hypervisors:show")
        ctxt = get_context()
        return {"hypervisor": detail(_found(ctxt, hypervisor_id), _services(ctxt))}


@blp.route("/os-hypervisors/statistics")
class HypervisorStatistics(MethodView):
    """The sums over every hypervisor (until 2.88)."""

    @blp.response(200, HypervisorStatisticsResponse)
    @blp.alt_response(404, description="From 2.88 (Nova removed the route).")
    def get(self):
        """Show the hypervisors' total resources and usage."""
        _removed_in("2.88")
        policy.authorize("os_compute_api:os-hypervisors:statistics")
        nodes = common.conductor().compute_node_get_all(get_context())
        usages = [_usage(node) for node in nodes]
        totals = {key: sum(usage[key] for usage in usages) for key in _STATISTICS}
        return {"hypervisor_statistics": {"count": len(nodes), **totals}}


@blp.route("/os-hypervisors/<hypervisor_id>/uptime")
class HypervisorUptime(MethodView):
    """A hypervisor's uptime (until 2.88; shown in the hypervisor after)."""

    @blp.response(200, HypervisorResponse)
    def get(self, hypervisor_id):
        """Show a hypervisor's `uptime` line."""
        _removed_in("2.88")
        policy.authorize("os_compute_api:os-hypervisors:uptime")
        node = _found(get_context(), hypervisor_id)
        return {"hypervisor": {**basic(node), "uptime": _uptime(node)}}


@blp.route("/os-hypervisors/<pattern>/search")
class HypervisorSearch(MethodView):
    """Hypervisors by hostname (until 2.53: ?hypervisor_hostname_pattern after)."""

    @blp.response(200, HypervisorsResponse)
    def get(self, pattern):
        """List the hypervisors whose hostname contains `pattern`."""
        _removed_in("2.53")
        policy.authorize("os_compute_api:os-hypervisors:search")
        return {"hypervisors": [basic(node) for node in _matching(get_context(), pattern)]}


@blp.route("/os-hypervisors/<pattern>/servers")
class HypervisorServers(MethodView):
    """Hypervisors by hostname with their servers (until 2.53:
    ?with_servers after)."""

    @blp.response(200, HypervisorsResponse)
    def get(self, pattern):
        """List the matching hypervisors and the servers on each."""
        _removed_in("2.53")
        policy.authorize("os_compute_api:os-hypervisors:servers")
        ctxt = get_context()
        return {"hypervisors": [{**basic(node), "servers": _servers(ctxt, node)}
                                for node in _matching(ctxt, pattern)]}
