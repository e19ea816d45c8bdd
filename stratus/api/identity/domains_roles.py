"""/identity/v3/domains and /identity/v3/roles: the one domain
(`default`, named "Default") and the fixed roles (admin, manager, member,
reader, each implying the next, and service), read-only: enough for
clients and Tempest to look them up by name."""
from flask.views import MethodView
from marshmallow import EXCLUDE, Schema, fields

from stratus.api import policy
from stratus.api.api import Blueprint
from stratus.api.identity import views
from stratus.common.context import ROLES
from stratus.common.objects.identity import DEFAULT_DOMAIN

blp = Blueprint("identity_domains_roles", __name__, url_prefix="/identity/v3",
                description="Identity: domains and roles")

DomainResponse = Schema.from_dict({"domain": fields.Dict()}, name="DomainResponse")
DomainsResponse = Schema.from_dict({"domains": fields.List(fields.Dict()),
                                    "links": fields.Dict()}, name="DomainsResponse")
RoleResponse = Schema.from_dict({"role": fields.Dict()}, name="RoleResponse")
RolesResponse = Schema.from_dict({"roles": fields.List(fields.Dict()),
                                  "links": fields.Dict()}, name="RolesResponse")


class NameQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String()


@blp.route("/domains")
class Domains(MethodView):
    """Domains."""

    @blp.arguments(NameQuery, location="query")
    @blp.response(200, DomainsResponse)
    def get(self, query):
        """List the domains (?name=): the one, `default`."""
        policy.authorize("identity:list_domains")
        wanted = query.get("name") in (None, DEFAULT_DOMAIN["name"])
        return views.collection("domains", [views.domain_view()] if wanted else [])


@blp.route("/domains/<domain_id>")
class Domain(MethodView):
    """A domain."""

    @blp.response(200, DomainResponse)
    def get(self, domain_id):
        """Show a domain."""
        policy.authorize("identity:get_domain")
        views.check_domain(domain_id)
        return {"domain": views.domain_view()}


@blp.route("/roles")
class Roles(MethodView):
    """Roles."""

    @blp.arguments(NameQuery, location="query")
    @blp.response(200, RolesResponse)
    def get(self, query):
        """List the roles (?name=)."""
        policy.authorize("identity:list_roles")
        return views.collection("roles", [views.role_view(name) for name in ROLES
                                          if query.get("name") in (None, name)])


@blp.route("/roles/<role_id>")
class Role(MethodView):
    """A role."""

    @blp.response(200, RoleResponse)
    def get(self, role_id):
        """Show a role."""
        policy.authorize("identity:get_role")
        return {"role": views.role_view(views.role_name(role_id))}
