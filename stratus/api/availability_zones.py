"""/v2.1/os-availability-zone: the zones of the services, as Nova.

A zone is available while one of its services is enabled; a zone whose
services are all disabled is listed as not available. (As in Nova, a
service that is down but enabled keeps its zone available: the detail
shows it per host.) The list hides the "internal" zone of non-compute
services; the detail (admin) shows every zone with its hosts."""
from flask.views import MethodView

from stratus.api import common, policy
from stratus.api.api import Blueprint
from stratus.api.request_context import get_context
from stratus.api.schemas.responses import envelope
from stratus.api.services import INTERNAL_ZONE, zone

blp = Blueprint("availability_zones", __name__, url_prefix="/v2.1",
                description="Availability zones")

ZonesResponse = envelope("AvailabilityZonesResponse", "availabilityZoneInfo", many=True)


def zones(services):
    """(available zone names, not available zone names), each sorted."""
    available = {zone(s) for s in services if not s.disabled}
    unavailable = {zone(s) for s in services if s.disabled} - available
    return sorted(available), sorted(unavailable)


def _hosts(services, zone_name):
    """{host: {binary: {available, active, updated_at}}} of the zone's
    enabled services (Nova leaves disabled ones out of the detail)."""
    hosts = {}
    for service in services:
        if service.disabled or zone(service) != zone_name:
            continue
        hosts.setdefault(service.host, {})[service.binary] = {
            "available": service.up, "active": True,
            "updated_at": common.isotime_micro(service.updated_at or service.last_seen_up)}
    return hosts


def _entry(name, available, hosts=None):
    return {"zoneName": name, "zoneState": {"available": available}, "hosts": hosts}


@blp.route("/os-availability-zone")
class AvailabilityZones(MethodView):
    """Availability zones."""

    @blp.response(200, ZonesResponse)
    def get(self):
        """List the zones and whether each is available."""
        policy.authorize("os_compute_api:os-availability-zone:list")
        available, unavailable = zones(common.conductor().service_get_all(get_context()))
        return {"availabilityZoneInfo":
                [_entry(z, True) for z in available if z != INTERNAL_ZONE]
                + [_entry(z, False) for z in unavailable if z != INTERNAL_ZONE]}


@blp.route("/os-availability-zone/detail")
class AvailabilityZonesDetail(MethodView):
    """Availability zones with their hosts (admin)."""

    @blp.response(200, ZonesResponse)
    def get(self):
        """List every zone with its hosts and their services."""
        policy.authorize("os_compute_api:os-availability-zone:detail")
        services = common.conductor().service_get_all(get_context())
        available, unavailable = zones(services)
        return {"availabilityZoneInfo":
                [_entry(z, True, _hosts(services, z)) for z in available]
                + [_entry(z, False) for z in unavailable]}
