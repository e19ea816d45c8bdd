"""/v2.1/os-aggregates (admin): host aggregates, their hosts and metadata.
An aggregate's `availability_zone` is the zone of its hosts, and its
metadata is what AggregateInstanceExtraSpecsFilter matches flavors with."""
import re

import flask
from flask.views import MethodView

from stratus.api import common, policy
from stratus.api.action_body import invalid, object_of, string
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.responses import envelope
from stratus.common import exception
from stratus.common.integers import is_decimal

blp = Blueprint("aggregates", __name__, url_prefix="/v2.1", description="Host aggregates (admin)")

AggregateResponse = envelope("AggregateResponse", "aggregate")
AggregatesResponse = envelope("AggregatesResponse", "aggregates", many=True)
_RULE = "os_compute_api:os-aggregates:%s"
# Nova's parameter_types: names without leading or trailing blanks; a
# zone name without ':' (it separates zone and host in a boot request).
_NAME = re.compile(r"^(?!\s)[^\x00-\x1f\x7f]*(?<!\s)$")
_METADATA_KEY = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")


def view(aggregate, create=False):
    """Nova's aggregate: hosts and metadata except in a create's answer,
    the uuid from 2.41."""
    body = {"availability_zone": aggregate.availability_zone,
            "created_at": common.isotime_micro(aggregate.created_at), "deleted": False,
            "deleted_at": None, "id": aggregate.id, "name": aggregate.name,
            "updated_at": common.isotime_micro(aggregate.updated_at)}
    if not create:
        body.update(hosts=aggregate.hosts, metadata=aggregate.metadata)
    if is_supported("2.41"):
        body["uuid"] = aggregate.uuid
    return {"aggregate": body}


def _name(field, value, nullable=False):
    value = string(field, value, nullable=nullable)
    if value is not None and not _NAME.match(value):
        raise invalid(field, value, "Leading or trailing blanks are not allowed")
    return value


def _zone(value):
    value = _name("availability_zone", value, nullable=True)
    if value is not None and ":" in value:
        raise invalid("availability_zone", value, "':' is not allowed in a zone name")
    return value


def _id(aggregate_id):
    if not is_decimal(aggregate_id, signed=True):
        raise exception.Invalid("id must be an integer")
    return int(aggregate_id)


def _body(key, allowed, required=()):
    body = object_of("body", flask.request.get_json(silent=True), (key,), (key,))
    return object_of(key, body[key], allowed, required)


@blp.route("/os-aggregates")
class Aggregates(MethodView):
    """Host aggregates."""

    @blp.response(200, AggregatesResponse)
    def get(self):
        """List the aggregates with their hosts and metadata."""
        policy.authorize(_RULE % "index")
        return {"aggregates": [view(a)["aggregate"]
                               for a in common.conductor().aggregate_get_all(get_context())]}

    @blp.response(200, AggregateResponse)
    def post(self):
        """Create an aggregate, in an availability zone when one is given."""
        policy.authorize(_RULE % "create")
        body = _body("aggregate", ("name", "availability_zone"), ("name",))
        name = _name("name", body["name"])
        aggregate = common.conductor().aggregate_create(
            get_context(), name, _zone(body.get("availability_zone")))
        return view(aggregate, create=True)


@blp.route("/os-aggregates/<aggregate_id>")
class Aggregate(MethodView):
    """One aggregate."""

    @blp.response(200, AggregateResponse)
    def get(self, aggregate_id):
        """Show an aggregate."""
        policy.authorize(_RULE % "show")
        return view(common.conductor().aggregate_get(get_context(), _id(aggregate_id)))

    @blp.response(200, AggregateResponse)
    def put(self, aggregate_id):
        """Rename an aggregate and/or move it to another zone."""
        policy.authorize(_RULE % "update")
        body = _body("aggregate", ("name", "availability_zone"))
        if not body:
            raise invalid("aggregate", body, "'name' or 'availability_zone' is required")
        values = {}
        if "name" in body:
            values["name"] = _name("name", body["name"])
        if "availability_zone" in body:
            values["availability_zone"] = _zone(body["availability_zone"])
        return view(common.conductor().aggregate_update(get_context(), _id(aggregate_id),
                                                        values))

    @blp.response(200)
    def delete(self, aggregate_id):
        """Delete an aggregate that holds no host."""
        policy.authorize(_RULE % "delete")
        common.conductor().aggregate_delete(get_context(), _id(aggregate_id))
        return flask.Response(status=200)


def _metadata(value):
    """Nova's metadata_with_null: string keys and values (null removes)."""
    object_of("metadata", value, value if isinstance(value, dict) else ())
    for key, item in value.items():
        if not _METADATA_KEY.match(key):
            raise invalid("metadata", value, f"{key!r} is not a valid metadata key")
        if item is not None:
            string(f"metadata.{key}", item, min_length=0)
    return value


@blp.route("/os-aggregates/<aggregate_id>/action")
class AggregateAction(MethodView):
    """add_host, remove_host and set_metadata."""

    @blp.response(200, AggregateResponse)
    def post(self, aggregate_id):
        """Add or remove a host, or set metadata (a null value removes a key)."""
        body = flask.request.get_json(silent=True)
        if not isinstance(body, dict) or len(body) != 1:
            raise exception.Invalid("Invalid request body: one action is expected.")
        action = next(iter(body))
        if action not in ("add_host", "remove_host", "set_metadata"):
            raise exception.Invalid(f"Unsupported action {action}.")
        policy.authorize(_RULE % action)
        ctxt, conductor = get_context(), common.conductor()
        if action == "set_metadata":
            metadata = _metadata(_body(action, ("metadata",), ("metadata",))["metadata"])
            return view(conductor.aggregate_set_metadata(ctxt, _id(aggregate_id), metadata))
        host = string("host", _body(action, ("host",), ("host",))["host"])
        if action == "add_host":
            return view(conductor.aggregate_add_host(ctxt, _id(aggregate_id), host))
        try:
            return view(conductor.aggregate_remove_host(ctxt, _id(aggregate_id), host))
        except (exception.AggregateNotFound, exception.AggregateHostNotFound):
            raise exception.NotFound(f"Cannot remove host {host} in aggregate "
                                     f"{aggregate_id}") from None
