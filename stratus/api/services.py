"""/v2.1/os-services: the roles' processes and their heartbeats (admin):
list, enable/disable (with a reason), forced_down, delete.

From 2.53 a service is named by its uuid (`PUT /os-services/{id}` with
status/forced_down); before, the path names an action (`enable`,
`disable`, `disable-log-reason`, `force-down` from 2.11) and the body
names the service by host and binary. Only compute services can be
updated, as in Nova."""
from flask.views import MethodView
from marshmallow import EXCLUDE, Schema, fields

from stratus.api import common, policy
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.responses import ServicesResponse, envelope
from stratus.api.schemas.services import ServiceUpdateBody
from stratus.common import exception
from stratus.common.integers import is_decimal
from stratus.common.vocabulary import ServiceBinary

blp = Blueprint("services", __name__, url_prefix="/v2.1", description="Services (admin)")

ServiceResponse = envelope("ServiceResponse", "service")
COMPUTE_BINARY = ServiceBinary.COMPUTE
# Nova's internal_service_availability_zone: where non-compute services live.
INTERNAL_ZONE = "internal"


class ServiceListQuery(Schema):
    """Filters of GET /os-services."""

    class Meta:
        unknown = EXCLUDE

    host = fields.String()
    binary = fields.String()


def is_compute(service):
    return "compute" in (service.topic or "") or service.binary.endswith("compute")


def zone(service):
    """A compute host's zone is its configured one; every other service is
    in the "internal" zone (Nova)."""
    return (service.availability_zone or "nova") if is_compute(service) else INTERNAL_ZONE


def show(service):
    """Nova's service view; ids are UUIDs from 2.53."""
    view = {
        "id": service.uuid if is_supported("2.53") and service.uuid else service.id,
        "binary": service.binary,
        "host": service.host,
        "zone": zone(service),
        "status": "disabled" if service.disabled else "enabled",
        "state": "up" if service.up else "down",
        "updated_at": common.isotime_micro(service.updated_at or service.last_seen_up),
        "disabled_reason": service.disabled_reason,
    }
    if is_supported("2.11"):
        view["forced_down"] = service.forced_down
    return view


@blp.route("/os-services")
class Services(MethodView):
    """Services."""

    @blp.arguments(ServiceListQuery, location="query")
    @blp.response(200, ServicesResponse)
    def get(self, args):
        """List services, optionally by host and binary."""
        policy.authorize("os_compute_api:os-services:list")
        services = common.conductor().service_get_all(get_context(), binary=args.get("binary"))
        if args.get("host"):
            services = [s for s in services if s.host == args["host"]]
        return {"services": [show(s) for s in services]}


def _find(ctxt, service_id):
    """The service with this uuid (2.53+) or integer id (before)."""
    if is_supported("2.53"):
        if not common.is_uuid_like(service_id):
            raise exception.Invalid(f"Invalid uuid {service_id}")
    elif not is_decimal(service_id):
        raise exception.Invalid("Invalid input received: id must be an integer.")
    for service in common.conductor().service_get_all(ctxt):
        if str(service.uuid if is_supported("2.53") else service.id) == str(service_id):
            return service
    raise exception.ServiceNotFound(service_id=service_id)


def _check_compute(binary):
    if binary != COMPUTE_BINARY:
        raise exception.Invalid(f"Updating a {binary} service is not supported. "
                                f"Only {COMPUTE_BINARY} services can be updated.")


def _refuse_keys(body, keys, form):
    for key in keys:
        if key in body:
            raise exception.Invalid(f"Invalid input for field/attribute {key}: "
                                    f"not allowed in the {form} form.")


def update_v253(ctxt, service_id, body):
    """status (enabled/disabled, disabled_reason only with disabled) and/or
    forced_down; returns the updated service's view."""
    _refuse_keys(body, ("host", "binary"), "2.53")
    service = _find(ctxt, service_id)
    _check_compute(service.binary)
    values = {}
    if body.get("status") == "enabled":
        if body.get("disabled_reason"):
            raise exception.Invalid("Specifying 'disabled_reason' with status 'enabled' "
                                    "is invalid.")
        values.update(disabled=False, disabled_reason=None)
    elif body.get("status") == "disabled":
        values.update(disabled=True, disabled_reason=body.get("disabled_reason"))
    if "forced_down" in body:
        values["forced_down"] = body["forced_down"]
    if not values:
        raise exception.Invalid("No updates were requested. Fields 'status' or "
                                "'forced_down' should be specified.")
    return show(common.conductor().service_save(ctxt, service.id, values))


# The pre-2.53 actions: what each sets, and which body key it needs.
_ACTIONS = {"enable": ({"disabled": False, "disabled_reason": None}, None),
            "disable": ({"disabled": True, "disabled_reason": None}, None),
            "disable-log-reason": ({"disabled": True}, "disabled_reason"),
            "force-down": ({}, "forced_down")}
_MISSING = {"disabled_reason": "Missing disabled reason field",
            "forced_down": "Missing forced_down field"}


def update_v21(ctxt, action, body):
    """PUT /os-services/{action} with host and binary; Nova's short reply."""
    _refuse_keys(body, ("status",) + (() if is_supported("2.11") else ("forced_down",)),
                 "pre-2.53")
    if action not in _ACTIONS or (action == "force-down" and not is_supported("2.11")):
        raise exception.NotFound("Unknown action")
    for key in ("host", "binary"):
        if key not in body:
            raise exception.Invalid(f"Invalid input for field/attribute {key}: "
                                    "Missing data for required field.")
    values, needed = _ACTIONS[action]
    values = dict(values)
    if needed:
        if needed not in body:
            raise exception.Invalid(_MISSING[needed])
        values[needed] = body[needed]
    _check_compute(body["binary"])
    service = _by_host_and_binary(ctxt, body["host"], body["binary"])
    common.conductor().service_save(ctxt, service.id, values)
    reply = {"host": body["host"], "binary": body["binary"]}
    if action == "force-down":
        reply["forced_down"] = values["forced_down"]
    else:
        reply["status"] = "disabled" if values["disabled"] else "enabled"
        if values.get("disabled_reason"):
            reply["disabled_reason"] = values["disabled_reason"]
    return reply


def _by_host_and_binary(ctxt, host, binary):
    for service in common.conductor().service_get_all(ctxt, binary=binary):
        if service.host == host:
            return service
    raise exception.NotFound(f"Could not find binary {binary} on host {host}.")


@blp.route("/os-services/<service_id>")
class Service(MethodView):
    """One service (2.53+: by uuid), or a pre-2.53 action."""

    @blp.arguments(ServiceUpdateBody)
    @blp.response(200, ServiceResponse)
    def put(self, body, service_id):
        """Enable/disable a compute service (with a reason) or force it down."""
        policy.authorize("os_compute_api:os-services:update")
        ctxt = get_context()
        if is_supported("2.53"):
            return {"service": update_v253(ctxt, service_id, body)}
        return {"service": update_v21(ctxt, service_id, body)}

    @blp.response(204)
    def delete(self, service_id):
        """Delete a service; a compute service still hosting instances is a 409."""
        policy.authorize("os_compute_api:os-services:delete")
        ctxt = get_context()
        try:
            service = _find(ctxt, service_id)
        except exception.ServiceNotFound:
            raise exception.NotFound(f"Service {service_id} not found.") from None
        common.conductor().service_delete(ctxt, service.id)
        return ""
