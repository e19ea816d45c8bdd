"""/v2.1/os-server-external-events: what other services (Neutron, Cinder,
Cyborg) tell Nova about servers, with the service role (or as admins).

Stratus has no such service beside it, so an event changes nothing: each
one is checked (a known name for the microversion, a visible server with a
host) and answered with its code as Nova answers it (200 completed; 404 for
an unknown server, 422 for one without a host), and the request is 200,
207 when the codes differ, 404 when no server was found."""
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from stratus.api import common, policy
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.common import exception
from stratus.common.vocabulary import ExternalEventStatus as Status

blp = Blueprint("external_events", __name__, url_prefix="/v2.1",
                description="Server external events (services)")

# name -> the microversion that brought it
_NAMES = {"network-changed": "2.1", "network-vif-plugged": "2.1",
          "network-vif-unplugged": "2.1", "network-vif-deleted": "2.1",
          "volume-extended": "2.51", "power-update": "2.76",
          "accelerator-request-bound": "2.82", "volume-reimaged": "2.93"}


class Event(Schema):
    name = fields.String(required=True, validate=validate.OneOf(list(_NAMES)))
    server_uuid = fields.String(required=True, validate=validate.Length(max=36))
    status = fields.String(validate=validate.OneOf(Status.ALL))
    tag = fields.String(validate=validate.Length(max=255))


class EventsBody(Schema):
    events = fields.List(fields.Nested(Event), required=True, validate=validate.Length(min=1))


EventsResponse = Schema.from_dict({"events": fields.List(fields.Dict())},
                                  name="ExternalEventsResponse")


def _answered(event, ctxt):
    answer = {"status": Status.COMPLETED, **event}
    try:
        instance = common.conductor().instance_get(ctxt, event["server_uuid"])
    except exception.InstanceNotFound:
        return {**answer, "code": 404, "status": Status.FAILED}
    if not instance.host:
        return {**answer, "code": 422, "status": Status.FAILED}
    return {**answer, "code": 200}


@blp.route("/os-server-external-events")
class ExternalEvents(MethodView):
    """Events about servers from other services."""

    @blp.arguments(EventsBody)
    @blp.response(200, EventsResponse)
    @blp.alt_response(207, schema=EventsResponse, description="The events' codes differ.",
                      success=True)
    @blp.alt_response(404, description="No event names a server that exists.")
    def post(self, body):
        """Report events (each answered with its code)."""
        policy.authorize("os_compute_api:os-server-external-events:create")
        for event in body["events"]:
            if not is_supported(_NAMES[event["name"]]):
                raise exception.Invalid(f"Invalid input for field/attribute name: "
                                        f"'{event['name']}' needs a newer microversion.")
        ctxt = get_context()
        answers = [_answered(event, ctxt) for event in body["events"]]
        codes = {answer["code"] for answer in answers}
        if codes == {404}:
            raise exception.NotFound("No instances found for any event")
        return {"events": answers}, 200 if len(codes) == 1 else 207
