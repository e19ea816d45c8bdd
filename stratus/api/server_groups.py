"""/v2.1/os-server-groups: create, list, show and delete server groups,
and the `group` scheduler hint that boots a server into one.

Quotas (server_groups on create, server_group_members on boot) are
counted by the conductor under a lock, so concurrent requests cannot
overrun them; their 403s come from there."""
import flask
from flask.views import MethodView

from stratus.api import common, policy
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.responses import envelope
from stratus.api.schemas.server_groups import ServerGroupCreateBody, ServerGroupListQuery
from stratus.api.views import server_groups as views
from stratus.common import exception

blp = Blueprint("server_groups", __name__, url_prefix="/v2.1", description="Server groups")

ServerGroupResponse = envelope("ServerGroupResponse", "server_group")
ServerGroupsResponse = envelope("ServerGroupsResponse", "server_groups", many=True)

_RULE = "os_compute_api:os-server-groups:%s"
_HARD = ["anti-affinity", "affinity"]
_SOFT = ["soft-anti-affinity", "soft-affinity"]  # from 2.15
_QUERY_KEYS = {"all_projects", "limit", "offset"}


def _unexpected(where, names):
    listed = ", ".join(repr(name) for name in sorted(names))
    return exception.Invalid(f"Invalid input for {where}. Additional properties are not "
                             f"allowed ({listed} {'was' if len(names) == 1 else 'were'} "
                             "unexpected)")


def _only(body, allowed, required):
    extra = set(body) - allowed
    if extra:
        raise _unexpected("field/attribute server_group", extra)
    if required not in body:
        raise exception.Invalid("Invalid input for field/attribute server_group. "
                                f"'{required}' is a required property")


def policy_and_rules(body):
    """(policy, rules) of a create body, as Nova's schema for the request's
    microversion allows them: a one-item `policies` list before 2.64 (soft
    policies from 2.15), `policy` and `rules` from 2.64."""
    if not is_supported("2.64"):
        _only(body, {"name", "policies"}, "policies")
        policies = body["policies"]
        allowed = _HARD + (_SOFT if is_supported("2.15") else [])
        if len(policies) != 1 or policies[0] not in allowed:
            raise exception.Invalid(f"Invalid input for field/attribute policies. Value: "
                                    f"{policies}. Must hold exactly one of {allowed}.")
        return policies[0], {}
    _only(body, {"name", "policy", "rules"}, "policy")
    if body["policy"] not in _HARD + _SOFT:
        raise exception.Invalid(f"Invalid input for field/attribute policy. Value: "
                                f"{body['policy']}. '{body['policy']}' is not one of "
                                f"{_HARD + _SOFT}")
    rules = body.get("rules") or {}
    if rules and body["policy"] != "anti-affinity":
        raise exception.Invalid("Only anti-affinity policy supports rules.")
    return body["policy"], rules


def find_group(ctxt, group_id):
    """The group as Nova's project-scoped read finds it: InstanceGroupNotFound
    for an unknown one and, unless the context is an admin's, for another
    project's, so that no answer tells that it exists."""
    if not common.is_uuid_like(group_id):
        raise exception.InstanceGroupNotFound(group_uuid=group_id)
    group = common.conductor().instance_group_get(ctxt, group_id)
    if not ctxt.is_admin and group.project_id != ctxt.project_id:
        raise exception.InstanceGroupNotFound(group_uuid=group_id)
    return group


def get_group(ctxt, group_id, action):
    """A group the context may act on: one find_group does not find is a
    404; then the rule for `action` (a reader may not delete: 403)."""
    group = find_group(ctxt, group_id)
    policy.authorize(_RULE % action, project_id=group.project_id)
    return group


def requested_group(ctxt, scheduler_hints):
    """The group named by the `group` scheduler hint, as the request spec
    carries it ({uuid, policy, rules}), or None; a group find_group does
    not find (unknown, or another project's for non-admins) is a 400 with
    the same message, as Nova."""
    hint = scheduler_hints.get("group")
    if hint is None:
        return None
    if isinstance(hint, list) and len(hint) == 1:
        hint = hint[0]
    if not isinstance(hint, str) or not common.is_uuid_like(hint):
        raise exception.Invalid(f"Invalid input for field/attribute group. Value: {hint}. "
                                "Must be a server group's uuid.")
    try:
        group = find_group(ctxt, hint)
    except exception.InstanceGroupNotFound as exc:
        raise exception.Invalid(exc.message) from None
    return {"uuid": group.uuid, "policy": group.policy, "rules": dict(group.rules or {})}


def groups_of(ctxt, instance):
    """The uuids of the groups a server is in (one at most): what Nova
    shows as the server's `server_groups` from 2.71."""
    return [group.uuid for group in
            common.conductor().instance_group_get_all(ctxt, project_id=instance.project_id)
            if instance.uuid in group.members]


@blp.route("/os-server-groups")
class ServerGroups(MethodView):
    """Server groups."""

    @blp.arguments(ServerGroupListQuery, location="query")
    @blp.response(200, ServerGroupsResponse)
    def get(self, args):
        """List the project's server groups (every project's for admins
        with ?all_projects); paged by limit and offset."""
        if is_supported("2.75") and set(flask.request.args) - _QUERY_KEYS:
            raise _unexpected("query parameters", set(flask.request.args) - _QUERY_KEYS)
        ctxt = get_context()
        policy.authorize(_RULE % "index")
        # As Nova: a non-admin asking for all projects gets their own.
        project_id = ctxt.project_id
        if "all_projects" in args and ctxt.is_admin:
            policy.authorize(_RULE % "index:all_projects")
            project_id = None
        groups = common.conductor().instance_group_get_all(ctxt, project_id=project_id)
        offset = args.get("offset") or 0
        limit = min(args.get("limit") or common.MAX_LIMIT, common.MAX_LIMIT)
        return {"server_groups": [views.show(g) for g in groups[offset:offset + limit]]}

    @blp.arguments(ServerGroupCreateBody)
    @blp.response(200, ServerGroupResponse)
    def post(self, body):
        """Create a server group; 403 over the project's server_groups quota."""
        policy.authorize(_RULE % "create")
        ctxt = get_context()
        policy_name, rules = policy_and_rules(body["server_group"])
        group = common.conductor().instance_group_create(ctxt, {
            "name": body["server_group"]["name"], "project_id": ctxt.project_id,
            "user_id": ctxt.user_id, "policy": policy_name, "rules": rules})
        return {"server_group": views.show(group)}


@blp.route("/os-server-groups/<group_id>")
class ServerGroup(MethodView):
    """One server group."""

    @blp.response(200, ServerGroupResponse)
    def get(self, group_id):
        """Show a server group with its live members."""
        return {"server_group": views.show(get_group(get_context(), group_id, "show"))}

    @blp.response(204)
    def delete(self, group_id):
        """Delete a server group; its servers stay, in no group."""
        ctxt = get_context()
        get_group(ctxt, group_id, "delete")
        common.conductor().instance_group_delete(ctxt, group_id)
        return ""
