"""/v2.1/servers/{id}/diagnostics (admins): the guest's CPU, memory, disk
and NIC figures, asked of its compute host; Nova's 2.48 shape, or the
flat libvirt dictionary before it."""
from flask.views import MethodView

from stratus.api import common, compute_api, policy
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.views import diagnostics as views
from stratus.common import exception

blp = Blueprint("server_diagnostics", __name__, url_prefix="/v2.1",
                description="Server diagnostics (admin)")


@blp.route("/servers/<server_id>/diagnostics")
class ServerDiagnostics(MethodView):
    """A server's diagnostics."""

    @blp.response(200)
    def get(self, server_id):
        """Show the guest's diagnostics (409 while it has no host)."""
        ctxt = get_context()
        instance = compute_api.get(ctxt, server_id)
        policy.authorize("os_compute_api:os-server-diagnostics", project_id=instance.project_id)
        if not instance.host:
            raise exception.InstanceNotReady(instance_id=instance.uuid)
        found = common.compute().get_instance_diagnostics(ctxt, instance.host, instance)
        return found if is_supported("2.48") else views.legacy(found)
