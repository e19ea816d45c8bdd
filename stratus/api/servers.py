"""/v2.1/servers: list, detail, show, create, update and delete."""
from flask.views import MethodView
from marshmallow import Schema, fields

from stratus.api import (common, compute_api, deferred_delete, policy, security_group_api,
                         server_groups, server_list, server_tags)
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.responses import ServerResponse, ServersResponse
from stratus.api.schemas.servers import ServerCreateBody, ServerListQuery, ServerUpdateBody
from stratus.api.views import servers as views
from stratus.common import exception

blp = Blueprint("servers", __name__, url_prefix="/v2.1", description="Servers")

ServerCreateResponse = Schema.from_dict(
    {"server": fields.Dict(), "reservation_id": fields.String()}, name="ServerCreateResponse")

_RULE = "os_compute_api:servers:%s"
_NEWER_FIELDS = {"description": "2.19", "tags": "2.52", "trusted_image_certificates": "2.63",
                 "host": "2.74", "hypervisor_hostname": "2.74", "hostname": "2.90"}


def _check_microversion_fields(server):
    """Fields Nova only accepts from some microversion on."""
    for name, version in _NEWER_FIELDS.items():
        if name in server and not is_supported(version):
            raise exception.Invalid(f"Invalid input for field/attribute server.{name}: "
                                    f"not allowed before microversion {version}.")
    if "personality" in server and is_supported("2.57"):
        raise exception.Invalid("Invalid input for field/attribute server.personality: "
                                "removed in microversion 2.57.")


def _server(server_id, action):
    """The server, if visible (else 404) and the rule allows `action`."""
    instance = compute_api.get(get_context(), server_id)
    policy.authorize(_RULE % action, project_id=instance.project_id)
    return instance


def shown(instance, extended=True):
    """GET, PUT and rebuild of one server: the detail view (PUT and
    rebuild: the short one before 2.75) and, from 2.71, the server's groups
    (not in lists, as Nova)."""
    ctxt = get_context()
    tags = server_tags.tags_by_server(ctxt, [instance]).get(instance.uuid)
    groups = security_group_api.names_by_server(ctxt, [instance]).get(instance.uuid)
    view = views.show(instance, tags, extended, groups)
    if is_supported("2.71"):
        view["server_groups"] = server_groups.groups_of(get_context(), instance)
    return view


def _created_view(instance, plan, server):
    """Nova's create reply: a few fields and the admin password."""
    return {"id": instance.uuid, "links": common.links("servers", instance.uuid),
            "OS-DCF:diskConfig": server.get("disk_config", "MANUAL"),
            "security_groups": [{"name": g["name"]} for g in
                                server.get("security_groups") or [{"name": "default"}]],
            "adminPass": plan.admin_pass}


@blp.route("/servers")
class Servers(MethodView):
    """Servers."""

    @blp.arguments(ServerListQuery, location="query")
    @blp.response(200, ServersResponse)
    def get(self, args):
        """List servers (id, name, links)."""
        policy.authorize(_RULE % "index")
        instances, limit, _ = server_list.list_instances(get_context(), args, "index")
        items = [views.basic(i) for i in instances]
        return common.listing("servers", items, limit, "servers")

    @blp.arguments(ServerCreateBody)
    @blp.response(202, ServerCreateResponse)
    def post(self, body):
        """Create (boot) one or several servers."""
        policy.authorize(_RULE % "create")
        server = body["server"]
        _check_microversion_fields(server)
        hints = body.get("scheduler_hints") or body.get("legacy_scheduler_hints") or {}
        instances, plan = compute_api.create(get_context(), server, hints)
        first = instances[0]
        headers = {"Location": common.compute_url("servers", first.uuid)}
        if server.get("return_reservation_id"):
            return {"reservation_id": plan.reservation_id}, headers
        return {"server": _created_view(first, plan, server)}, headers


@blp.route("/servers/detail")
class ServersDetail(MethodView):
    """Servers with every field."""

    @blp.arguments(ServerListQuery, location="query")
    @blp.response(200, ServersResponse)
    def get(self, args):
        """List servers with details."""
        policy.authorize(_RULE % "detail")
        instances, limit, tags = server_list.list_instances(get_context(), args, "detail",
                                                            with_tags=True)
        groups = security_group_api.names_by_server(get_context(), instances)
        items = views.show_all(instances, tags, groups)
        return common.listing("servers", items, limit, "servers/detail")


@blp.route("/servers/<server_id>")
class Server(MethodView):
    """One server."""

    @blp.response(200, ServerResponse)
    def get(self, server_id):
        """Show a server (a name instead of an id is a 404)."""
        return {"server": shown(_server(server_id, "show"))}

    @blp.arguments(ServerUpdateBody)
    @blp.response(200, ServerResponse)
    def put(self, body, server_id):
        """Update a server's name or access IPs."""
        server = body["server"]
        for name, version in (("description", "2.19"), ("hostname", "2.90")):
            if name in server and not is_supported(version):
                raise exception.Invalid(f"Invalid input for field/attribute server.{name}: "
                                        f"not allowed before microversion {version}.")
        instance = compute_api.update(get_context(), _server(server_id, "update"), server)
        return {"server": shown(instance, extended=is_supported("2.75"))}

    @blp.response(204)
    def delete(self, server_id):
        """Delete a server; poll GET until it answers 404 (with a reclaim
        interval, until it shows SOFT_DELETED)."""
        instance = _server(server_id, "delete")
        if deferred_delete.deferred():
            deferred_delete.soft_delete(get_context(), instance)
        else:
            compute_api.delete(get_context(), instance)
        return ""
