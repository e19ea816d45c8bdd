"""Nova's proxy to the network service's security groups:
/v2.1/os-security-groups (list, create, show, update, delete),
/v2.1/os-security-group-rules (create, delete) and
/v2.1/servers/{id}/os-security-groups (the groups of the server's
ports); and the server actions addSecurityGroup and removeSecurityGroup.
The proxy routes are gone from microversion 2.36 (404, as Nova's); the
server's list and the actions stay."""
import functools

from flask.views import MethodView
from marshmallow import INCLUDE, Schema, fields, validate
from werkzeug.exceptions import BadRequest, Forbidden, NotFound

from stratus.api import common, compute_api, policy, security_group_api as sg_api
from stratus.api.action_body import object_of, string
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.neutron.security_groups import check_group
from stratus.api.request_context import get_context
from stratus.api.schemas.responses import envelope
from stratus.common import exception

blp = Blueprint("security_groups", __name__, url_prefix="/v2.1",
                description="Security groups (Nova's proxy to the network service)")

GroupResponse = envelope("NovaSecurityGroupResponse", "security_group")
GroupsResponse = envelope("NovaSecurityGroupsResponse", "security_groups", many=True)
RuleResponse = envelope("NovaSecurityGroupRuleResponse", "security_group_rule")
_RULE = "os_compute_api:os-security-groups:%s"
MAX_PROXY_VERSION = "2.35"


class _Open(Schema):
    """Nova's proxy bodies let other keys through (never tightened: the
    API is deprecated)."""

    class Meta:
        unknown = INCLUDE


class GroupSpec(_Open):
    name = fields.String(required=True, validate=validate.Length(max=255))
    description = fields.String(required=True, validate=validate.Length(max=255))


class GroupBody(_Open):
    security_group = fields.Nested(GroupSpec, required=True)


class RuleSpec(_Open):
    parent_group_id = fields.UUID(required=True)
    group_id = fields.UUID(allow_none=True)
    from_port = fields.Raw(allow_none=True)
    to_port = fields.Raw(allow_none=True)
    ip_protocol = fields.Raw(allow_none=True)
    cidr = fields.Raw(allow_none=True)


class RuleBody(_Open):
    security_group_rule = fields.Nested(RuleSpec, required=True)


class ListQuery(_Open):
    limit = fields.Integer(validate=validate.Range(min=0))
    offset = fields.Integer(validate=validate.Range(min=0))
    all_tenants = fields.String()


def proxy(view):
    """A proxy route: gone from 2.36 (404, as Nova's, before the body is
    read)."""
    @functools.wraps(view)
    def checked(*args, **kwargs):
        if not is_supported(max_version=MAX_PROXY_VERSION):
            raise NotFound()
        return view(*args, **kwargs)
    return blp.alt_response(404, description="Gone from microversion 2.36, or a security "
                            "group named is not found.")(checked)


def _proxy(rule):
    """Nova's rule on the caller's project; the caller's context."""
    policy.authorize(_RULE % rule)
    return get_context()


def _uuid(value, what="Security group"):
    if not common.is_uuid_like(value):
        raise BadRequest(f"{what} id should be uuid")
    return value


def _group(ctxt, group_id):
    return common.conductor().net_get(ctxt, "security_group", _uuid(group_id))


def _one(ctxt, group):
    return {"security_group": sg_api.views(ctxt, [group])[0]}


def _as(error_class, call, *args):
    """The network service's conflict as the proxy's error (Nova's
    mapping of Neutron's 409 differs by call)."""
    try:
        return call(*args)
    except exception.Conflict as exc:
        raise error_class(exc.message) from None


@blp.route("/os-security-groups")
class SecurityGroups(MethodView):
    """Security groups."""

    @proxy
    @blp.arguments(ListQuery, location="query")
    @blp.response(200, GroupsResponse)
    def get(self, query):
        """List the project's security groups (admins: ?all_tenants for all)."""
        ctxt = _proxy("get")
        everyone = ctxt.is_admin and "all_tenants" in query
        groups = common.conductor().net_list(
            ctxt, "security_group", None if everyone else {"project_id": ctxt.project_id})
        offset = query.get("offset", 0)
        limit = common.limit_from(query)
        return {"security_groups": sg_api.views(ctxt, groups)[offset:offset + limit]}

    @proxy
    @blp.arguments(GroupBody)
    @blp.response(200, GroupResponse)
    @blp.alt_response(403, description="The network service refused the group (Nova's "
                      "SecurityGroupLimitExceeded).")
    def post(self, body):
        """Create a security group."""
        ctxt = _proxy("create")
        values = {key: body["security_group"][key] for key in ("name", "description")}
        _as(Forbidden, check_group, values)  # Nova's 403 for Neutron's 409
        return _one(ctxt, _as(Forbidden, common.conductor().net_create, ctxt, "security_group",
                              values))

    @blp.response(404)
    def delete(self):
        """No group named: `DELETE /os-security-groups/` is a 404, as Nova's."""
        raise exception.NotFound("Security group not found")


@blp.route("/os-security-groups/<group_id>")
class SecurityGroup(MethodView):
    """One security group."""

    @proxy
    @blp.response(200, GroupResponse)
    def get(self, group_id):
        """Show a security group (its ingress rules)."""
        ctxt = _proxy("show")
        return _one(ctxt, _group(ctxt, group_id))

    @proxy
    @blp.arguments(GroupBody)
    @blp.response(200, GroupResponse)
    def put(self, body, group_id):
        """Change a security group's name and description."""
        ctxt = _proxy("update")
        values = {key: body["security_group"][key] for key in ("name", "description")}
        group = _group(ctxt, group_id)
        _as(BadRequest, check_group, values)
        return _one(ctxt, _as(BadRequest, common.conductor().net_update, ctxt, "security_group",
                              group["id"], values))

    @proxy
    @blp.response(202)
    def delete(self, group_id):
        """Delete a security group (400 while a port uses it, as Nova's)."""
        ctxt = _proxy("delete")
        group = _group(ctxt, group_id)
        _as(BadRequest, common.conductor().net_delete, ctxt, "security_group", group["id"])
        return ""


@blp.route("/os-security-group-rules")
class SecurityGroupRules(MethodView):
    """Security group rules."""

    @proxy
    @blp.arguments(RuleBody)
    @blp.response(200, RuleResponse)
    def post(self, body):
        """Add an ingress rule to a group: from a CIDR (ip_protocol, from_port
        and to_port needed) or from the members of another group."""
        ctxt = _proxy("rule:create")
        spec = {key: str(value) if key.endswith("group_id") and value else value
                for key, value in body["security_group_rule"].items()}
        group = _group(ctxt, spec["parent_group_id"])
        if spec.get("group_id"):
            _group(ctxt, spec["group_id"])
        values = sg_api.ingress_rule(spec)
        if values is None:
            raise BadRequest("Not enough parameters to build a valid rule.")
        try:
            rule = common.conductor().net_create(ctxt, "security_group_rule", values)
        except exception.Conflict:
            raise BadRequest(f"This rule already exists in group {group['id']}") from None
        groups = common.conductor().net_list(ctxt, "security_group")
        return {"security_group_rule": sg_api.rule_view(rule, sg_api.names_of(groups))}


@blp.route("/os-security-group-rules/<rule_id>")
class SecurityGroupRule(MethodView):
    """One security group rule."""

    @proxy
    @blp.response(202)
    def delete(self, rule_id):
        """Delete a security group rule."""
        ctxt = _proxy("rule:delete")
        _uuid(rule_id, "Security group rule")
        try:
            common.conductor().net_delete(ctxt, "security_group_rule", rule_id)
        except exception.SecurityGroupRuleNotFound as exc:
            raise exception.SecurityGroupNotFound(exc.message) from None
        return ""


@blp.route("/servers/<server_id>/os-security-groups")
class ServerSecurityGroups(MethodView):
    """A server's security groups."""

    @blp.response(200, GroupsResponse)
    def get(self, server_id):
        """List the security groups of the server's ports."""
        ctxt = get_context()
        instance = compute_api.get(ctxt, server_id)
        policy.authorize(_RULE % "list", project_id=instance.project_id)
        return {"security_groups": sg_api.instance_groups(ctxt, instance)}


def _group_name(action, value):
    """The group named by `{"name": ...}` (Nova's 400s otherwise)."""
    body = object_of(action, value, ("name",), ("name",))
    name = string("name", body["name"], max_length=255)
    if not name.strip():
        raise BadRequest("Security group name cannot be empty")
    return name


def _add(ctxt, instance, value):
    sg_api.add_to_instance(ctxt, instance, _group_name("addSecurityGroup", value))


def _remove(ctxt, instance, value):
    sg_api.remove_from_instance(ctxt, instance, _group_name("removeSecurityGroup", value))


# The server actions (app.server_actions dispatches them): 202, no body.
HANDLERS = {"addSecurityGroup": _add, "removeSecurityGroup": _remove}
