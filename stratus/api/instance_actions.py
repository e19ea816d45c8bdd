"""/v2.1/servers/{id}/os-instance-actions: what was asked of a server and
the steps each request took (Nova's instance actions and events). From
2.21 a deleted server's actions are still shown."""
from flask.views import MethodView
from marshmallow import EXCLUDE, Schema, fields

from stratus.api import common, compute_api, policy
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.common import PagingQuery
from stratus.api.views import instance_actions as views

blp = Blueprint("instance_actions", __name__, url_prefix="/v2.1",
                description="Instance actions and their events")

InstanceActionsResponse = Schema.from_dict(
    {"instanceActions": fields.List(fields.Dict()), "links": fields.List(fields.Dict())},
    name="InstanceActionsResponse")
InstanceActionResponse = Schema.from_dict({"instanceAction": fields.Dict()},
                                          name="InstanceActionResponse")


class ActionsQuery(PagingQuery):
    """Paging and changes-since (2.58), changes-before (2.66)."""

    class Meta:
        unknown = EXCLUDE

    changes_since = fields.String(data_key="changes-since")
    changes_before = fields.String(data_key="changes-before")


def _instance(server_id, action):
    """(context, server) if visible (else 404) and `action` is allowed."""
    ctxt = get_context()
    instance = compute_api.get(ctxt, server_id, read_deleted=is_supported("2.21"))
    policy.authorize(f"os_compute_api:os-instance-actions:{action}",
                     project_id=instance.project_id)
    return ctxt, instance


def _filters(args):
    """(limit, marker, changes_since, changes_before) from 2.58, else none."""
    if not is_supported("2.58"):
        return None, None, None, None
    # From 2.58 unknown query parameters are a 400, as Nova's schema.
    common.reject_unknown_params({"limit", "marker", "changes-since"}
                                 | ({"changes-before"} if is_supported("2.66") else set()))
    since, before = common.changes_window(args)
    return common.limit_from(args), args.get("marker"), since, before


@blp.route("/servers/<server_id>/os-instance-actions")
class InstanceActions(MethodView):
    """A server's actions."""

    @blp.arguments(ActionsQuery, location="query")
    @blp.response(200, InstanceActionsResponse)
    def get(self, args, server_id):
        """List the actions, newest first."""
        ctxt, instance = _instance(server_id, "list")
        limit, marker, since, before = _filters(args)
        items = common.conductor().action_get_all(ctxt, instance.uuid, limit=limit,
                                                  marker=marker, changes_since=since,
                                                  changes_before=before)
        actions = [views.action(item) for item in items]
        body = {"instanceActions": actions}
        if limit is not None:
            links = common.next_links(f"servers/{server_id}/os-instance-actions", actions,
                                      limit, id_key="request_id")
            if links:
                body["links"] = links
        return body


@blp.route("/servers/<server_id>/os-instance-actions/<request_id>")
class InstanceAction(MethodView):
    """One action."""

    @blp.response(200, InstanceActionResponse)
    def get(self, server_id, request_id):
        """Show an action with its events."""
        ctxt, instance = _instance(server_id, "show")
        item = common.conductor().action_get(ctxt, instance.uuid, request_id)
        return {"instanceAction": views.action_with_events(item, instance)}
