"""Migration records: `/os-migrations` (operators: every resize, cold and
live migration and evacuation, filtered and paged) and
`/servers/{id}/migrations` (a server's live migration in progress)."""
from flask.views import MethodView
from marshmallow import INCLUDE, Schema, fields
from werkzeug.exceptions import BadRequest, NotFound

from stratus.api import common, compute_api, policy
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.fields import MAX_QUERY_INT, NovaInteger
from stratus.api.views import migrations as views
from stratus.common import exception
from stratus.common.integers import is_decimal
from stratus.common.vocabulary import MigrationStatus, MigrationType

blp = Blueprint("migrations", __name__, url_prefix="/v2.1", description="Migrations")

MigrationsResponse = Schema.from_dict(
    {"migrations": fields.List(fields.Dict()), "migrations_links": fields.List(fields.Dict())},
    name="MigrationsResponse")
MigrationResponse = Schema.from_dict({"migration": fields.Dict()}, name="MigrationResponse")


class MigrationsQuery(Schema):
    """Nova's filters; which ones a microversion accepts is checked by
    _allowed_params (before 2.59 anything else is ignored)."""

    class Meta:
        unknown = INCLUDE

    host = fields.String()
    status = fields.String()
    instance_uuid = fields.String()
    migration_type = fields.String()
    source_compute = fields.String()
    hidden = fields.String()
    limit = NovaInteger(minimum=0, maximum=MAX_QUERY_INT)
    marker = fields.String()
    changes_since = fields.String(data_key="changes-since")
    changes_before = fields.String(data_key="changes-before")
    user_id = fields.String()
    project_id = fields.String()


_FILTERS = ("host", "status", "instance_uuid", "migration_type", "source_compute", "hidden")


def _allowed_params():
    """The query parameters of this microversion; from 2.59 any other is a
    400, as Nova's schema."""
    allowed = set(_FILTERS)
    if is_supported("2.59"):
        allowed |= {"limit", "marker", "changes-since"}
    if is_supported("2.66"):
        allowed.add("changes-before")
    if is_supported("2.80"):
        allowed |= {"user_id", "project_id"}
    if is_supported("2.59"):
        common.reject_unknown_params(allowed)
    return allowed


def _filters(args, allowed):
    filters = {key: args[key] for key in _FILTERS + ("user_id", "project_id")
               if key in args and key in allowed and key != "hidden"}
    if "changes-since" in allowed:  # from 2.59 (changes-before, 2.66: a 400 before)
        filters["changes_since"], filters["changes_before"] = common.changes_window(args)
    return {key: value for key, value in filters.items() if value is not None}


@blp.route("/os-migrations")
class Migrations(MethodView):
    """Every server's moves (admins)."""

    @blp.arguments(MigrationsQuery, location="query")
    @blp.response(200, MigrationsResponse)
    def get(self, args):
        """List migrations newest first; paged from 2.59."""
        policy.authorize("os_compute_api:os-migrations:index")
        allowed = _allowed_params()
        limit, marker = None, None
        if "limit" in allowed:
            limit = common.limit_from(args) if "limit" in args else None
            marker = args.get("marker")
        items = common.conductor().migration_get_all(get_context(), _filters(args, allowed),
                                                     limit=limit, marker=marker)
        body = {"migrations": [views.migration(item) for item in items]}
        if limit is not None:
            links = common.next_links("os-migrations", body["migrations"], limit,
                                      id_key="uuid")
            if links:
                body["migrations_links"] = links
        return body


def _server(server_id, action):
    """(context, server) if visible (else 404), from 2.23 (else 404), and
    the rule of `action` allowed."""
    if not is_supported("2.23"):
        raise NotFound()
    ctxt = get_context()
    instance = compute_api.get(ctxt, server_id)
    policy.authorize(f"os_compute_api:servers:migrations:{action}",
                     project_id=instance.project_id)
    return ctxt, instance


@blp.route("/servers/<server_id>/migrations")
class ServerMigrations(MethodView):
    """A server's live migration in progress."""

    @blp.response(200, MigrationsResponse)
    def get(self, server_id):
        """List the server's live migrations in progress (2.23)."""
        ctxt, instance = _server(server_id, "index")
        items = common.conductor().migration_get_all(
            ctxt, {"instance_uuid": instance.uuid, "migration_type": MigrationType.LIVE_MIGRATION,
                   "status": list(MigrationStatus.IN_PROGRESS)})
        return {"migrations": [views.server_migration(item) for item in items]}


@blp.route("/servers/<server_id>/migrations/<migration_id>")
class ServerMigration(MethodView):
    """One live migration in progress of a server."""

    @blp.response(200, MigrationResponse)
    def get(self, server_id, migration_id):
        """Show it, with its memory and disk copy progress (2.23)."""
        ctxt, instance = _server(server_id, "show")
        if not is_decimal(migration_id):
            raise BadRequest(f"Invalid migration id {migration_id}")
        try:
            item = common.conductor().migration_get(ctxt, migration_id)
        except exception.MigrationNotFound:
            item = None
        if item is None or item.instance_uuid != instance.uuid:
            raise NotFound(f"Migration {migration_id} not found for instance {instance.uuid}")
        if not views.in_progress_live(item):
            raise NotFound(f"In-progress live migration {migration_id} is not found for "
                           f"server {instance.uuid}.")
        return {"migration": views.server_migration(item)}
