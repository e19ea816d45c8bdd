"""/v2.1/flavors/{id}/os-extra_specs: a flavor's extra specs. Anyone who
may see the flavor reads them; admins set, update and unset them, checked
as Nova checks them (stratus.api.schemas.extra_specs)."""
import flask
from flask.views import MethodView

from stratus.api import common, policy
from stratus.api.action_body import object_of
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.extra_specs import specs_from
from stratus.api.schemas.responses import ExtraSpecsResponse
from stratus.common import exception

blp = Blueprint("flavor_extra_specs", __name__, url_prefix="/v2.1",
                description="Flavor extra specs")

_RULE = "os_compute_api:os-flavor-extra-specs:%s"


def _specs(body):
    return specs_from(body, validate=is_supported("2.86"))


@blp.route("/flavors/<flavor_id>/os-extra_specs")
class FlavorExtraSpecs(MethodView):
    """A flavor's extra specs."""

    @blp.response(200, ExtraSpecsResponse)
    def get(self, flavor_id):
        """List a flavor's extra specs."""
        policy.authorize(_RULE % "index")
        flavor = common.conductor().flavor_get(get_context(), flavor_id)
        return {"extra_specs": dict(flavor.extra_specs or {})}

    @blp.response(200, ExtraSpecsResponse)
    def post(self, flavor_id):
        """Add or replace extra specs (admin); answers the specs sent."""
        body = object_of("body", flask.request.get_json(silent=True), ("extra_specs",),
                         ("extra_specs",))
        specs = _specs(body["extra_specs"])
        policy.authorize(_RULE % "create")
        common.conductor().flavor_extra_specs_update(get_context(), flavor_id, specs)
        return {"extra_specs": specs}


@blp.route("/flavors/<flavor_id>/os-extra_specs/<key>")
class FlavorExtraSpec(MethodView):
    """One extra spec of a flavor."""

    @blp.response(200)
    def get(self, flavor_id, key):
        """Show one extra spec as {key: value}."""
        policy.authorize(_RULE % "show")
        specs = common.conductor().flavor_get(get_context(), flavor_id).extra_specs or {}
        if key not in specs:
            raise exception.NotFound(f"Flavor {flavor_id} has no extra specs with key {key}.")
        return {key: specs[key]}

    @blp.response(200)
    def put(self, flavor_id, key):
        """Set one extra spec (admin): the body is {key: value} for this key."""
        body = flask.request.get_json(silent=True)
        if not isinstance(body, dict) or len(body) != 1:
            raise exception.Invalid("Request body must hold exactly one extra spec.")
        if key not in body:
            raise exception.Invalid("Request body and URI mismatch")
        specs = _specs(body)
        policy.authorize(_RULE % "update")
        common.conductor().flavor_extra_specs_update(get_context(), flavor_id, specs)
        return specs

    def delete(self, flavor_id, key):
        """Unset one extra spec (admin)."""
        policy.authorize(_RULE % "delete")
        common.conductor().flavor_extra_spec_delete(get_context(), flavor_id, key)
        return flask.Response(status=200)
