"""/v2.1/os-hosts (admin, until 2.42): Nova's deprecated view of the hosts
from their services and compute nodes. Putting a host in maintenance,
enabling it and powering it are driver operations the libvirt driver
does not offer in Nova either: they answer 501 for a known host (use
os-services to disable one)."""
import flask
from flask.views import MethodView
from werkzeug.exceptions import NotImplemented as NotSupported

from stratus.api import common, policy
from stratus.api.action_body import object_of
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.responses import envelope
from stratus.api.services import zone
from stratus.common import exception

blp = Blueprint("hosts", __name__, url_prefix="/v2.1", description="Hosts (admin, deprecated)")

HostsResponse = envelope("HostsResponse", "hosts", many=True)
HostResponse = envelope("HostResponse", "host", many=True)
_RULE = "os_compute_api:os-hosts:%s"
# Nova leaves the API's own services out of the list.
_API_BINARIES = ("nova-osapi_compute", "nova-metadata")
_UPDATE_VALUES = ("enable", "disable")
_NOT_SUPPORTED = "Action not allowed."


def _check_version():
    if is_supported("2.43"):
        raise exception.NotFound("The resource could not be found.")


def _service_name(service):
    """What Nova shows as `service`: the topic, e.g. `compute`."""
    return service.binary.removeprefix("nova-")


def _nodes(host):
    nodes = [n for n in common.conductor().compute_node_get_all(get_context()) if n.host == host]
    if not nodes:
        raise exception.ComputeHostNotFound(host=host)
    return nodes


def _resource(host, project, cpu, memory_mb, disk_gb):
    return {"resource": {"host": host, "project": project, "cpu": cpu,
                         "memory_mb": memory_mb, "disk_gb": disk_gb}}


def _by_project(host, instances):
    totals = {}
    for inst in instances:
        cpu, mem, disk = totals.get(inst.project_id, (0, 0, 0))
        totals[inst.project_id] = (cpu + inst.vcpus, mem + inst.memory_mb,
                                   disk + inst.root_gb + inst.ephemeral_gb)
    return [_resource(host, project, *values) for project, values in totals.items()]


@blp.route("/os-hosts")
class Hosts(MethodView):
    """Hosts."""

    @blp.response(200, HostsResponse)
    @blp.alt_response(404, description="From 2.43 (Nova removed the route).")
    def get(self):
        """List the hosts of the enabled services (?zone= filters)."""
        _check_version()
        policy.authorize(_RULE % "list")
        wanted = flask.request.args.get("zone")
        services = [s for s in common.conductor().service_get_all(get_context())
                    if not s.disabled and s.binary not in _API_BINARIES]
        return {"hosts": [{"host_name": s.host, "service": _service_name(s), "zone": zone(s)}
                          for s in services if not wanted or zone(s) == wanted]}


@blp.route("/os-hosts/<host>")
class Host(MethodView):
    """One host."""

    @blp.response(200, HostResponse)
    def get(self, host):
        """A host's resources: total, used now, used at most, and per project."""
        _check_version()
        policy.authorize(_RULE % "show")
        node = _nodes(host)[0]
        instances = common.conductor().instance_get_all(get_context(), {"host": host})
        used_max = [sum(i.vcpus for i in instances), sum(i.memory_mb for i in instances),
                    sum(i.root_gb + i.ephemeral_gb for i in instances)]
        return {"host": [_resource(host, "(total)", node.vcpus, node.memory_mb, node.local_gb),
                         _resource(host, "(used_now)", node.vcpus_used, node.memory_mb_used,
                                   node.local_gb_used),
                         _resource(host, "(used_max)", *used_max)]
                + _by_project(host, instances)}

    def put(self, host):
        """Enable/disable or set maintenance mode: not offered by libvirt (501)."""
        _check_version()
        body = object_of("body", flask.request.get_json(silent=True),
                         ("status", "maintenance_mode"))
        for key, value in body.items():
            if not isinstance(value, str) or value.strip().lower() not in _UPDATE_VALUES:
                raise exception.Invalid(f"Invalid input for field/attribute {key}. "
                                        f"Value: {value}. Must be 'enable' or 'disable'.")
        if not body:
            raise exception.Invalid("'status' or 'maintenance_mode' is required.")
        policy.authorize(_RULE % "update")
        _nodes(host)
        raise NotSupported(_NOT_SUPPORTED)


def _power_action(host, rule):
    _check_version()
    policy.authorize(_RULE % rule)
    _nodes(host)
    raise NotSupported(_NOT_SUPPORTED)


@blp.route("/os-hosts/<host>/startup")
class HostStartup(MethodView):
    """Power a host on."""

    def get(self, host):
        """Not offered by libvirt (501) for a known host."""
        return _power_action(host, "start")


@blp.route("/os-hosts/<host>/shutdown")
class HostShutdown(MethodView):
    """Power a host off."""

    def get(self, host):
        """Not offered by libvirt (501) for a known host."""
        return _power_action(host, "shutdown")


@blp.route("/os-hosts/<host>/reboot")
class HostReboot(MethodView):
    """Reboot a host."""

    def get(self, host):
        """Not offered by libvirt (501) for a known host."""
        return _power_action(host, "reboot")
