"""Console URLs, as Nova's compute/api.py get_vnc_console: check the
server, ask its host where the guest's VNC server listens, have
consoleauth keep (the hash of) a fresh token for it, and give back the
noVNC URL that carries the token."""
import secrets
from urllib.parse import urlencode

from stratus.api import common, compute_actions, policy
from stratus.config import get_settings
from stratus.common import exception
from stratus.consoleauth import rpcapi as consoleauth_rpcapi
from stratus.common.vocabulary import VmState

RULE = "os_compute_api:os-remote-consoles"


def get_console(ctxt, instance, protocol, console_type):
    """The URL of a running server's console in a browser: VNC through
    noVNC is the one kind offered. 409 unless the server is ACTIVE with no
    task under way (one that is moving may be gone from its host by the
    time the browser connects)."""
    policy.authorize(RULE, project_id=instance.project_id)
    if protocol != "vnc":
        raise exception.ConsoleTypeUnavailable(console_type=protocol)
    compute_actions.check_state(instance, "get_vnc_console", (VmState.ACTIVE,), (None,),
                                must_have_launched=False)
    if not instance.host:
        raise exception.InstanceNotReady(instance_id=instance.uuid)
    if console_type != "novnc":
        raise exception.ConsoleTypeInvalid(console_type=console_type)
    connect = common.compute().get_vnc_console(ctxt, instance.host, instance, console_type)
    token = secrets.token_urlsafe(32)
    consoleauth_rpcapi.ConsoleAuthAPI().authorize_console(
        ctxt, consoleauth_rpcapi.hash_token(token), instance.uuid, connect["host"],
        connect["port"], console_type, connect.get("internal_access_path"))
    return access_url(token)


def access_url(token):
    """`<novncproxy_base_url>?path=%3Ftoken%3D<token>`: noVNC 1.1 and later
    read the websocket's path (with its query) from `path`."""
    base = get_settings().novncproxy_base_url
    return f"{base}{'&' if '?' in base else '?'}{urlencode({'path': f'?token={token}'})}"
