"""/v2.1/flavors: list, detail, show, create, update (2.55) and delete."""
import flask
from flask.views import MethodView
from werkzeug.exceptions import BadRequest

from stratus.api import common, policy
from stratus.api.action_body import object_of, string
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.fields import NovaBoolean
from stratus.api.schemas.flavors import FlavorCreateBody, FlavorListQuery
from stratus.api.schemas.responses import FlavorResponse, FlavorsResponse
from stratus.api.views import flavors as views
from stratus.common import exception

blp = Blueprint("flavors", __name__, url_prefix="/v2.1", description="Flavors (server sizes)")

def parse_is_public(value):
    """Nova's rule: absent means public only, 'None' means both (the
    query schema let only these spellings through)."""
    if value is None:
        return True
    text = value.strip().lower()
    return None if text == "none" else NovaBoolean().deserialize(text)


def _sorted(flavors, args):
    key = args.get("sort_key") or "flavorid"
    # None sorts first, as in SQL's ascending order.
    return sorted(flavors, key=lambda f: (getattr(f, key) is not None, getattr(f, key) or 0),
                  reverse=args.get("sort_dir") == "desc")


def list_flavors(args):
    """The filtered, sorted page of flavors and its page size."""
    is_public = parse_is_public(args.get("is_public"))
    if not get_context().is_admin:
        # Only admins may ask for private flavors.
        is_public = True
    flavors = common.conductor().flavor_get_all(get_context(), is_public=is_public,
                                                min_ram=args.get("minRam"),
                                                min_disk=args.get("minDisk"))
    limit = common.limit_from(args)
    return common.page(_sorted(flavors, args), limit, args.get("marker"),
                       key=lambda f: f.flavorid), limit


def values_from(body):
    """The conductor's flavor values from a validated create body."""
    if "description" in body and not is_supported("2.55"):
        raise BadRequest("Invalid input for field/attribute flavor.description: "
                         "Additional properties are not allowed before microversion 2.55.")
    return {"flavorid": body.get("id"), "name": body["name"], "memory_mb": body["ram"],
            "vcpus": body["vcpus"], "root_gb": body["disk"],
            "ephemeral_gb": body.get("ephemeral", 0), "swap": body.get("swap", 0),
            "rxtx_factor": body.get("rxtx_factor", 1.0),
            "is_public": body.get("is_public", True), "description": body.get("description")}


@blp.route("/flavors")
class Flavors(MethodView):
    """Flavors."""

    @blp.arguments(FlavorListQuery, location="query")
    @blp.response(200, FlavorsResponse)
    def get(self, args):
        """List flavors (id, name, links)."""
        flavors, limit = list_flavors(args)
        items = [views.basic(f) for f in flavors]
        return common.listing("flavors", items, limit, "flavors")

    @blp.arguments(FlavorCreateBody)
    @blp.response(200, FlavorResponse)
    def post(self, body):
        """Create a flavor (admin); a null or missing id lets the server pick one."""
        policy.authorize("os_compute_api:os-flavor-manage:create")
        flavor = common.conductor().flavor_create(get_context(), values_from(body["flavor"]))
        return {"flavor": views.show(flavor)}


@blp.route("/flavors/detail")
class FlavorsDetail(MethodView):
    """Flavors with every field."""

    @blp.arguments(FlavorListQuery, location="query")
    @blp.response(200, FlavorsResponse)
    def get(self, args):
        """List flavors with details."""
        flavors, limit = list_flavors(args)
        items = [views.show(f) for f in flavors]
        return common.listing("flavors", items, limit, "flavors/detail")


@blp.route("/flavors/<flavor_id>")
class Flavor(MethodView):
    """One flavor."""

    @blp.response(200, FlavorResponse)
    def get(self, flavor_id):
        """Show a flavor."""
        return {"flavor": views.show(common.conductor().flavor_get(get_context(), flavor_id))}

    @blp.response(200, FlavorResponse)
    def put(self, flavor_id):
        """Change a flavor's description (admin, from 2.55)."""
        if not is_supported("2.55"):
            raise exception.NotFound("The resource could not be found.")
        body = object_of("body", flask.request.get_json(silent=True), ("flavor",), ("flavor",))
        values = object_of("flavor", body["flavor"], ("description",), ("description",))
        description = string("description", values["description"], max_length=65535,
                             nullable=True, min_length=0)
        policy.authorize("os_compute_api:os-flavor-manage:update")
        flavor = common.conductor().flavor_update(get_context(), flavor_id,
                                                  {"description": description})
        return {"flavor": views.show(flavor)}

    @blp.response(202)
    def delete(self, flavor_id):
        """Delete a flavor (admin); servers keep their copy."""
        policy.authorize("os_compute_api:os-flavor-manage:delete")
        common.conductor().flavor_delete(get_context(), flavor_id)
        return ""
