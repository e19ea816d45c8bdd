"""POST /v2.1/servers/{id}/action: the body's single key names the action
(Nova's action dispatch). Parsing only; app.compute_actions decides."""
import flask
import flask_smorest
from flask.views import MethodView
from marshmallow import INCLUDE, Schema, ValidationError, fields, validate
from werkzeug.exceptions import BadRequest, Gone, NotImplemented as NotSupported

from app import compute_actions, compute_api
from app.api import Blueprint
from app.microversion import is_supported
from app.request_context import get_context

blp = Blueprint("server_actions", __name__, url_prefix="/v2.1", description="Server actions")

# Nova's actions this cloud does not do yet: Nova's answer for a feature
# the deployment lacks (501), never an error of the API itself.
NOT_SUPPORTED = frozenset({
    "resize", "confirmResize", "revertResize", "rebuild", "createImage", "createBackup",
    "changePassword", "migrate", "os-migrateLive", "evacuate", "shelve", "shelveOffload",
    "unshelve", "rescue", "unrescue", "forceDelete", "restore", "trigger_crash_dump",
    "os-getConsoleOutput", "os-getVNCConsole", "os-getSPICEConsole", "os-getRDPConsole",
    "os-getSerialConsole", "addSecurityGroup", "removeSecurityGroup", "addFixedIp",
    "removeFixedIp", "addFloatingIp", "removeFloatingIp", "injectNetworkInfo"})
# Removed from Nova's API altogether (410).
GONE = frozenset({"resetNetwork"})


class ActionBody(Schema):
    """Any object; its one key is the action."""

    class Meta:
        unknown = INCLUDE


class RebootSpec(Schema):
    type = fields.String(required=True, validate=validate.OneOf(
        ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]))


class LockSpec(Schema):
    locked_reason = fields.String(validate=validate.Length(1, 255))


class ResetStateSpec(Schema):
    state = fields.String(required=True, validate=validate.OneOf(["active", "error"]))


def _load(schema, name, value, allow_none=False):
    """The action's value checked against its schema, Nova's 400 if not."""
    if value is None and allow_none:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"Invalid input for field/attribute {name}. Value: {value}. "
                         f"{value!r} is not of type 'object'")
    try:
        return schema().load(value)
    except ValidationError as err:
        flask_smorest.abort(400, messages={name: err.messages})


def _power(name):
    return lambda ctxt, instance, value: compute_actions.power_action(ctxt, instance, name)


def _reboot(ctxt, instance, value):
    reboot_type = _load(RebootSpec, "reboot", value)["type"].upper()
    compute_actions.reboot(ctxt, instance, reboot_type)


def _lock(ctxt, instance, value):
    # Before 2.73 the body's value is ignored; from 2.73 it may carry a reason.
    reason = None
    if is_supported("2.73"):
        reason = _load(LockSpec, "lock", value, allow_none=True).get("locked_reason")
    compute_actions.lock(ctxt, instance, reason)


def _reset_state(ctxt, instance, value):
    compute_actions.reset_state(ctxt, instance, _load(ResetStateSpec, "os-resetState",
                                                      value)["state"])


HANDLERS = {
    "os-start": _power("start"), "os-stop": _power("stop"), "reboot": _reboot,
    "pause": _power("pause"), "unpause": _power("unpause"), "suspend": _power("suspend"),
    "resume": _power("resume"), "lock": _lock,
    "unlock": lambda ctxt, instance, value: compute_actions.unlock(ctxt, instance),
    "os-resetState": _reset_state,
}


@blp.route("/servers/<server_id>/action")
class ServerAction(MethodView):
    """Server actions."""

    @blp.arguments(ActionBody)
    @blp.response(202)
    def post(self, body, server_id):
        """Run an action: `{"os-stop": null}`, `{"reboot": {"type": "SOFT"}}`..."""
        if len(body) != 1:
            raise BadRequest("Malformed request body")
        [(name, value)] = body.items()
        if name not in HANDLERS and name not in NOT_SUPPORTED | GONE:
            raise BadRequest(f"There is no such action: {name}")
        ctxt = get_context()
        instance = compute_api.get(ctxt, server_id)
        if name in GONE:
            raise Gone()
        if name in NOT_SUPPORTED:
            raise NotSupported("The requested functionality is not supported.")
        HANDLERS[name](ctxt, instance, value)
        # Nova's 202 has an empty body (flask-smorest would send `""`).
        return flask.Response(status=202)
