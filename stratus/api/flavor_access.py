"""/v2.1/flavors/{id}/os-flavor-access and the addTenantAccess /
removeTenantAccess actions (admin): which projects may see and boot a
private flavor. The conductor hides a private flavor from every other
non-admin project (404 on show, absent from lists, 400 on boot)."""
import flask
from flask.views import MethodView

from stratus.api import common, policy
from stratus.api.action_body import object_of, string
from stratus.api.api import Blueprint
from stratus.api.request_context import get_context
from stratus.api.schemas.responses import envelope
from stratus.common import exception

blp = Blueprint("flavor_access", __name__, url_prefix="/v2.1",
                description="Flavor access (private flavors)")

FlavorAccessResponse = envelope("FlavorAccessResponse", "flavor_access", many=True)
_RULE = "os_compute_api:os-flavor-access"
_ACTIONS = {"addTenantAccess": "flavor_access_add", "removeTenantAccess": "flavor_access_remove"}


def view(flavor_id, projects):
    return {"flavor_access": [{"flavor_id": str(flavor_id), "tenant_id": project}
                              for project in projects]}


@blp.route("/flavors/<flavor_id>/os-flavor-access")
class FlavorAccess(MethodView):
    """The projects with access to a private flavor."""

    @blp.response(200, FlavorAccessResponse)
    def get(self, flavor_id):
        """List them (a public flavor has no list: 404)."""
        policy.authorize(_RULE)
        return view(flavor_id, common.conductor().flavor_access_get(get_context(), flavor_id))


@blp.route("/flavors/<flavor_id>/action")
class FlavorAction(MethodView):
    """addTenantAccess and removeTenantAccess."""

    @blp.response(200, FlavorAccessResponse)
    def post(self, flavor_id):
        """Give a project access to a private flavor, or take it away."""
        body = flask.request.get_json(silent=True)
        if not isinstance(body, dict) or len(body) != 1 or next(iter(body)) not in _ACTIONS:
            raise exception.Invalid("Invalid request body: expected addTenantAccess or "
                                    "removeTenantAccess.")
        action = next(iter(body))
        tenant = string("tenant", object_of(action, body[action], ("tenant",),
                                            ("tenant",))["tenant"])
        policy.authorize(f"{_RULE}:{'add' if action == 'addTenantAccess' else 'remove'}"
                         "_tenant_access")
        call = getattr(common.conductor(), _ACTIONS[action])
        return view(flavor_id, call(get_context(), flavor_id, tenant))
