"""/v2.1/servers/{id}/metadata: a server's key/value metadata, as Nova's
server_metadata API (state and lock checks in app.compute_actions)."""
from flask.views import MethodView
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import BadRequest, NotFound

from stratus.api import compute_actions, compute_api, policy
from stratus.api.api import Blueprint
from stratus.api.request_context import get_context

blp = Blueprint("server_metadata", __name__, url_prefix="/v2.1", description="Server metadata")

# Nova's parameter_types.metadata, its odd `9-_` range included.
_KEY = validate.Regexp(r"^[a-zA-Z0-9-_:. ]{1,255}$")


def _metadata(**kwargs):
    return fields.Dict(keys=fields.String(validate=_KEY),
                       values=fields.String(validate=validate.Length(max=255)), **kwargs)


class MetadataBody(Schema):
    metadata = _metadata(required=True)


class MetaBody(Schema):
    meta = _metadata(required=True, validate=validate.Length(1, 1))


MetadataResponse = Schema.from_dict({"metadata": fields.Dict()}, name="MetadataResponse")
MetaResponse = Schema.from_dict({"meta": fields.Dict()}, name="MetaResponse")


def _server(server_id, action):
    """(context, server) if the server is visible (else 404) and the
    rule allows `action` on it."""
    ctxt = get_context()
    instance = compute_api.get(ctxt, server_id)
    policy.authorize(f"os_compute_api:server-metadata:{action}", project_id=instance.project_id)
    return ctxt, instance


@blp.route("/servers/<server_id>/metadata")
class ServerMetadata(MethodView):
    """All of a server's metadata."""

    @blp.response(200, MetadataResponse)
    def get(self, server_id):
        """List the metadata."""
        _ctxt, instance = _server(server_id, "index")
        return {"metadata": dict(instance.metadata or {})}

    @blp.arguments(MetadataBody)
    @blp.response(200, MetadataResponse)
    def post(self, body, server_id):
        """Add or change items; the other items stay."""
        ctxt, instance = _server(server_id, "create")
        return {"metadata": compute_actions.update_metadata(ctxt, instance, body["metadata"])}

    @blp.arguments(MetadataBody)
    @blp.response(200, MetadataResponse)
    def put(self, body, server_id):
        """Replace the whole metadata."""
        ctxt, instance = _server(server_id, "update_all")
        return {"metadata": compute_actions.update_metadata(ctxt, instance, body["metadata"],
                                                            replace=True)}


@blp.route("/servers/<server_id>/metadata/<key>")
class ServerMetadataItem(MethodView):
    """One metadata item."""

    @blp.response(200, MetaResponse)
    def get(self, server_id, key):
        """Show one item."""
        _ctxt, instance = _server(server_id, "show")
        metadata = instance.metadata or {}
        if key not in metadata:
            raise NotFound("Metadata item was not found")
        return {"meta": {key: metadata[key]}}

    @blp.arguments(MetaBody)
    @blp.response(200, MetaResponse)
    def put(self, body, server_id, key):
        """Set one item; the body's key must be the URL's."""
        ctxt, instance = _server(server_id, "update")
        if key not in body["meta"]:
            raise BadRequest("Request body and URI mismatch")
        compute_actions.update_metadata(ctxt, instance, body["meta"])
        return {"meta": body["meta"]}

    @blp.response(204)
    def delete(self, server_id, key):
        """Delete one item."""
        ctxt, instance = _server(server_id, "delete")
        compute_actions.delete_metadata(ctxt, instance, key)
        return ""
