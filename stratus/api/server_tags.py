"""/v2.1/servers/{id}/tags (microversion 2.26): a server's tags, as Nova's
server_tags API. Before 2.26 every route is a 404. A tag is 1 to 60
characters without '/' or ','; a server has at most 50. Changing tags
needs the server active, paused, suspended or stopped (409 otherwise)."""
from flask.views import MethodView
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import BadRequest, NotFound

from stratus.api import common, compute_actions, compute_api, policy
from stratus.api.api import Blueprint, empty
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.common.vocabulary import VmState

blp = Blueprint("server_tags", __name__, url_prefix="/v2.1", description="Server tags")

MAX_TAG_LENGTH, MAX_TAGS = 60, 50
# Nova's parameter_types.tag.
_TAG = validate.And(validate.Length(1, MAX_TAG_LENGTH), validate.Regexp(r"^[^,/]*$"))
# The conductor RPC version that brought tags, and the one that lists a
# page with its servers' tags.
TAGS_RPC_VERSION = "1.5"
LIST_WITH_TAGS_RPC_VERSION = "1.11"
_CHANGEABLE = (VmState.ACTIVE, VmState.PAUSED, VmState.SUSPENDED, VmState.STOPPED)


class TagsBody(Schema):
    tags = fields.List(fields.String(validate=_TAG), required=True,
                       validate=validate.Length(max=MAX_TAGS))


TagsResponse = Schema.from_dict({"tags": fields.List(fields.String())}, name="TagsResponse")


@blp.before_request
def _since_2_26():
    """Before 2.26 the routes do not exist: 404 before any body is read."""
    if not is_supported("2.26"):
        raise NotFound()


def _server(server_id, action, change=None):
    """(context, server) if the server is visible (else 404) and the rule
    allows `action`; `change` names a change, which needs a state that
    allows it (409)."""
    ctxt = get_context()
    instance = compute_api.get(ctxt, server_id)
    policy.authorize(f"os_compute_api:os-server-tags:{action}", project_id=instance.project_id)
    if change:
        compute_actions.check_state(instance, change, vm_states=_CHANGEABLE, task_states=None,
                                    must_have_launched=False)
    return ctxt, instance


def _check_tag(tag):
    """400 with Nova's text for a tag in a URL that is not a valid tag."""
    errors = []
    try:
        _TAG(tag)
    except validate.ValidationError as error:
        errors = error.messages
    if errors:
        raise BadRequest(f"Tag '{tag}' is invalid. It must be a non empty string without "
                         f"characters '/' and ','. Validation error message: {errors[0]}")


def shown():
    """Whether server views show tags: from 2.26, unless the conductor is
    capped below 1.5 (a rolling upgrade: servers then show no tags rather
    than failing)."""
    return is_supported("2.26") and common.conductor().can_send_version(TAGS_RPC_VERSION)


def tags_by_server(ctxt, instances):
    """{uuid: [tag, ...]} for server views when they show tags (one
    conductor call), else {}."""
    if not (instances and shown()):
        return {}
    return common.conductor().instance_tags_get_by_instances(ctxt, [i.uuid for i in instances])


def list_filters(args):
    """The tag filters of a server list (2.26+; ignored before, as Nova),
    {"tags": [...], "tags-any": ..., "not-tags", "not-tags-any"}, from the
    parsed query (ServerListQuery's tags, tags_any, not_tags, not_tags_any)."""
    if not is_supported("2.26"):
        return {}
    return {name.replace("_", "-"): [t for t in args[name].split(",") if t] for name in
            ("tags", "tags_any", "not_tags", "not_tags_any") if args.get(name)}


@blp.route("/servers/<server_id>/tags")
class ServerTags(MethodView):
    """All of a server's tags."""

    @blp.response(200, TagsResponse)
    def get(self, server_id):
        """List the tags."""
        ctxt, instance = _server(server_id, "index")
        return {"tags": common.conductor().instance_tags_get(ctxt, instance.uuid)}

    @blp.arguments(TagsBody)
    @blp.response(200, TagsResponse)
    def put(self, body, server_id):
        """Replace the whole set of tags."""
        ctxt, instance = _server(server_id, "update_all", "update tags")
        return {"tags": common.conductor().instance_tags_set(ctxt, instance.uuid, body["tags"])}

    @blp.response(204)
    def delete(self, server_id):
        """Remove every tag."""
        ctxt, instance = _server(server_id, "delete_all", "delete tags")
        common.conductor().instance_tags_delete_all(ctxt, instance.uuid)
        return ""


@blp.route("/servers/<server_id>/tags/<tag>")
class ServerTag(MethodView):
    """One tag of a server."""

    @blp.response(204)
    def get(self, server_id, tag):
        """204 if the server has the tag, else 404."""
        ctxt, instance = _server(server_id, "show")
        if tag not in common.conductor().instance_tags_get(ctxt, instance.uuid):
            raise NotFound(f"Server {server_id} has no tag '{tag}'")
        return ""

    @blp.response(204, description="The server already had the tag.")
    @blp.alt_response(201, description="The tag was added.", success=True, headers={
        "Location": {"description": "The tag's URL.", "schema": {"type": "string"}}})
    def put(self, server_id, tag):
        """Add the tag: 201 with its Location, 204 if the server had it."""
        ctxt, instance = _server(server_id, "update", "update tag")
        _check_tag(tag)
        if not common.conductor().instance_tag_add(ctxt, instance.uuid, tag):
            return empty(204)
        reply = empty(201)
        reply.headers["Location"] = common.compute_url("servers", instance.uuid, "tags", tag)
        return reply

    @blp.response(204)
    def delete(self, server_id, tag):
        """Remove the tag; 404 if the server lacks it."""
        ctxt, instance = _server(server_id, "delete", "delete tag")
        common.conductor().instance_tag_delete(ctxt, instance.uuid, tag)
        return ""
