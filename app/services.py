"""/v2.1/os-services: the roles' processes and their heartbeats (admin)."""
from flask.views import MethodView
from marshmallow import EXCLUDE, Schema, fields

from app import common, policy
from app.api import Blueprint
from app.microversion import is_supported
from app.request_context import get_context
from app.schemas.responses import ServicesResponse

blp = Blueprint("services", __name__, url_prefix="/v2.1", description="Services (admin)")


class ServiceListQuery(Schema):
    """Filters of GET /os-services."""

    class Meta:
        unknown = EXCLUDE

    host = fields.String()
    binary = fields.String()


def _is_compute(service):
    return "compute" in (service.topic or "") or service.binary.endswith("compute")


def show(service):
    """Nova's service view; ids are UUIDs from 2.53."""
    view = {
        "id": service.uuid if is_supported("2.53") and service.uuid else service.id,
        "binary": service.binary,
        "host": service.host,
        # Nova puts every non-compute service in the "internal" zone.
        "zone": (service.availability_zone or "nova") if _is_compute(service) else "internal",
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
