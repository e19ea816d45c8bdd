"""POST /v2.1/servers/{id}/action: the body's single key names the action
(Nova's action dispatch). Parsing only; app.compute_actions decides."""
import flask
import flask_smorest
from flask.views import MethodView
from marshmallow import INCLUDE, Schema, ValidationError, fields, validate
from werkzeug.exceptions import BadRequest, Gone, NotFound, NotImplemented as NotSupported

from stratus.api import (common, compute_actions, compute_api, consoles, deferred_delete,
                         live_migrate_actions, policy, resize_actions, security_groups,
                         server_build, snapshot_actions)
from stratus.api.action_body import object_of, string
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.common import exception
from stratus.common.integers import is_decimal
from stratus.config import get_settings
from stratus.common.vocabulary import VmState

blp = Blueprint("server_actions", __name__, url_prefix="/v2.1", description="Server actions")

# Nova's actions this cloud does not do yet: Nova's answer for a feature
# the deployment lacks (501), never an error of the API itself.
NOT_SUPPORTED = frozenset({
    "changePassword",
    "trigger_crash_dump", "os-getSPICEConsole", "os-getRDPConsole",
    "os-getSerialConsole", "addFixedIp",
    "removeFixedIp", "addFloatingIp", "removeFloatingIp"})
# Removed from Nova's API altogether (410).
GONE = frozenset({"resetNetwork"})


class _ActionBody(Schema):
    """An object whose one key is the action. Loaded as it is (the view
    answers an unknown or missing action with Nova's messages); the
    document states the same rule: one of the known keys, exactly one."""

    OPENAPI = {"additionalProperties": False, "minProperties": 1, "maxProperties": 1}

    class Meta:
        unknown = INCLUDE


class RebootSpec(Schema):
    type = fields.String(required=True, validate=validate.OneOf(
        ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]))


class LockSpec(Schema):
    locked_reason = fields.String(validate=validate.Length(1, 255))


class ResetStateSpec(Schema):
    state = fields.String(required=True, validate=validate.OneOf([VmState.ACTIVE, VmState.ERROR]))


class ActionValue(fields.Raw):
    """An action's value, passed on as it came (its handler checks it, with
    `spec` where it has one); documented as `spec`, if any."""

    def __init__(self, spec=None):
        super().__init__(allow_none=True)
        self.spec = spec

    def json_schema(self, converter):
        if self.spec is None:
            return {"description": "The action's argument (null for most; see Nova's API)."}
        return {"allOf": [converter.resolve_nested_schema(self.spec)], "nullable": False}


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


def _rescue(ctxt, instance, value):
    """{"rescue": null | {"adminPass", "rescue_image_ref"}} -> 200 with the
    password (Nova's enable_instance_password)."""
    body = object_of("rescue", value or {}, ("adminPass", "rescue_image_ref"))
    password = string("adminPass", body["adminPass"]) if "adminPass" in body else None
    image_id = (common.id_from_href(string("rescue_image_ref", body["rescue_image_ref"]))
                if "rescue_image_ref" in body else instance.image_ref)
    image = server_build.resolve_image(ctxt, image_id)
    compute_actions.rescue(ctxt, instance, image)
    return {"adminPass": password or server_build.new_password()}


def _console_output(ctxt, instance, value):
    """{"os-getConsoleOutput": {"length": N | "N" | null}} -> {"output"}:
    the last N lines of the guest's serial console (-1 or none: all)."""
    body = object_of("os-getConsoleOutput", value or {}, ("length",))
    length = body.get("length")
    if isinstance(length, str) and is_decimal(length, signed=True):
        length = int(length)
    if length is not None and (isinstance(length, bool) or not isinstance(length, int)
                               or length < -1):
        raise BadRequest(f"Invalid input for field/attribute length. Value: {length}.")
    output = compute_actions.console_output(ctxt, instance, None if length == -1 else length)
    return {"output": output}


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


class VNCConsoleSpec(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["novnc", "xvpvnc"]))


def _vnc_console(ctxt, instance, value):
    # Replaced by POST /servers/{id}/remote-consoles in 2.6 (Nova: 404 after).
    if not is_supported(max_version="2.5"):
        raise NotFound()
    console_type = _load(VNCConsoleSpec, "os-getVNCConsole", value)["type"]
    return {"console": {"type": console_type,
                        "url": consoles.get_console(ctxt, instance, "vnc", console_type)}}


# Actions that migrate or copy a server need compute RPC 1.3 on its hosts:
# while the cloud is capped below (a rolling upgrade), they are refused
# before anything is saved.
MIGRATION_ACTIONS = {**snapshot_actions.HANDLERS, **resize_actions.HANDLERS,
                     **live_migrate_actions.HANDLERS}
MIGRATIONS_RPC_VERSION = "1.3"


def _check_upgrade_level(name):
    if name in MIGRATION_ACTIONS and not common.compute().can_send_version(
            MIGRATIONS_RPC_VERSION):
        raise exception.VersionCapExceeded(role="compute", version=MIGRATIONS_RPC_VERSION,
                                           cap=get_settings().compute_rpc_version_cap)


HANDLERS = {
    "os-start": _power("start"), "os-stop": _power("stop"), "reboot": _reboot,
    "pause": _power("pause"), "unpause": _power("unpause"), "suspend": _power("suspend"),
    "resume": _power("resume"), "lock": _lock,
    "unlock": lambda ctxt, instance, value: compute_actions.unlock(ctxt, instance),
    "os-resetState": _reset_state,
    # Accepted, as Nova's libvirt driver does: a guest learns its address
    # by DHCP and from its config drive; nothing is injected into it.
    "injectNetworkInfo": lambda ctxt, instance, value: None,
    "os-getVNCConsole": _vnc_console,
    "rescue": _rescue,
    "os-getConsoleOutput": _console_output,
    "unrescue": lambda ctxt, instance, value: compute_actions.unrescue(ctxt, instance),
    **MIGRATION_ACTIONS,
    **deferred_delete.HANDLERS,
    **security_groups.HANDLERS,
}
# The value schemas the handlers above load with, for the document.
# (lock's is not: before 2.73 its value is ignored, whatever it is.)
SPECS = {"reboot": ActionValue(RebootSpec), "os-resetState": ActionValue(ResetStateSpec),
         "os-getVNCConsole": ActionValue(VNCConsoleSpec)}
ActionBody = _ActionBody.from_dict(
    {name: SPECS.get(name) or ActionValue()
     for name in sorted(HANDLERS.keys() | NOT_SUPPORTED | GONE)}, name="ActionBody")


# Nova's policy rule of each action, checked once the server is
# found: another project's server is a 404 before any rule.
_S, _ACTIONS = "os_compute_api:servers:", "os_compute_api:"
ACTION_RULES = {
    "os-start": _S + "start", "os-stop": _S + "stop", "reboot": _S + "reboot",
    "resize": _S + "resize", "confirmResize": _S + "confirm_resize",
    "revertResize": _S + "revert_resize", "rebuild": _S + "rebuild",
    "createImage": _S + "create_image", "trigger_crash_dump": _S + "trigger_crash_dump",
    "pause": _ACTIONS + "os-pause-server:pause", "unpause": _ACTIONS + "os-pause-server:unpause",
    "suspend": _ACTIONS + "os-suspend-server:suspend",
    "resume": _ACTIONS + "os-suspend-server:resume",
    "lock": _ACTIONS + "os-lock-server:lock", "unlock": _ACTIONS + "os-lock-server:unlock",
    "os-resetState": _ACTIONS + "os-admin-actions:reset_state",
    "injectNetworkInfo": _ACTIONS + "os-admin-actions:inject_network_info",
    "migrate": _ACTIONS + "os-migrate-server:migrate",
    "os-migrateLive": _ACTIONS + "os-migrate-server:migrate_live",
    "evacuate": _ACTIONS + "os-evacuate", "shelve": _ACTIONS + "os-shelve:shelve",
    "shelveOffload": _ACTIONS + "os-shelve:shelve_offload",
    "unshelve": _ACTIONS + "os-shelve:unshelve", "rescue": _ACTIONS + "os-rescue",
    "unrescue": _ACTIONS + "os-unrescue", "forceDelete": _ACTIONS + "os-deferred-delete:force",
    "restore": _ACTIONS + "os-deferred-delete:restore",
    "createBackup": _ACTIONS + "os-create-backup",
    "changePassword": _ACTIONS + "os-admin-password",
    "os-getConsoleOutput": _ACTIONS + "os-console-output",
    "os-getVNCConsole": _ACTIONS + "os-remote-consoles",
    "os-getSPICEConsole": _ACTIONS + "os-remote-consoles",
    "os-getRDPConsole": _ACTIONS + "os-remote-consoles",
    "os-getSerialConsole": _ACTIONS + "os-remote-consoles",
    "addSecurityGroup": _ACTIONS + "os-security-groups:add",
    "removeSecurityGroup": _ACTIONS + "os-security-groups:remove",
    "addFixedIp": _ACTIONS + "os-multinic:add", "removeFixedIp": _ACTIONS + "os-multinic:remove",
    "addFloatingIp": _ACTIONS + "os-floating-ips:add",
    "removeFloatingIp": _ACTIONS + "os-floating-ips:remove",
}


@blp.route("/servers/<server_id>/action")
class ServerAction(MethodView):
    """Server actions."""

    @blp.arguments(ActionBody)
    @blp.response(202)
    @blp.alt_response(200, description="An action that answers (a console, 2.45's "
                      "createImage, evacuate).", success=True)
    @blp.alt_response(204, description="confirmResize.", success=True)
    @blp.alt_response(410, description="An action removed from the API (resetNetwork).")
    @blp.alt_response(501, description="An action this cloud does not do (yet).")
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
        policy.authorize(ACTION_RULES[name], project_id=instance.project_id)
        if name in NOT_SUPPORTED:
            raise NotSupported("The requested functionality is not supported.")
        _check_upgrade_level(name)
        result = HANDLERS[name](ctxt, instance, value)
        if isinstance(result, flask.Response):
            return result  # an action with its own status (confirmResize 204, evacuate 200)
        if result is not None:
            return flask.jsonify(result)  # an action that answers (200), as Nova's consoles
        return None  # Nova's 202: no body
