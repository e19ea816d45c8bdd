"""One browser connection to the console proxy. websockify serves each in
a process of its own: plain GETs get noVNC's pages, a websocket upgrade is
admitted (Origin, token, port) before its handshake and then proxied to
the guest's VNC server."""
import http.server
from http import HTTPStatus

from websockify.websocketproxy import ProxyRequestHandler

from stratus.config import get_settings
from stratus.common import exception
from stratus.compute import rpcapi as compute_rpcapi
from stratus.conductor import rpcapi as conductor_rpcapi
from stratus.consoleauth import rpcapi as consoleauth_rpcapi
from stratus.common.context import get_admin_context
from stratus.novncproxy import security

INVALID_TOKEN = "The console token is invalid or has expired."


class Refused(Exception):
    """A websocket that must not reach a guest: its HTTP status and why."""

    def __init__(self, reason, status=HTTPStatus.FORBIDDEN):
        super().__init__(reason)
        self.reason, self.status = reason, status


def admit(headers, path):
    """The connection info {host, port, ...} this websocket request may
    reach, or Refused. The Origin is checked first, so that a page from
    another site learns nothing and costs no message."""
    settings = get_settings()
    reason = security.origin_refusal(headers, settings.console_allowed_origins,
                                     settings.novncproxy_base_url)
    if reason:
        raise Refused(reason)
    token = security.token_from(path, headers.get("Cookie"))
    if not token:
        raise Refused(INVALID_TOKEN)
    try:
        return _connect_info(get_admin_context(), token)
    except exception.StratusException as exc:
        raise Refused(f"The console service failed: {exc.message}",
                      HTTPStatus.SERVICE_UNAVAILABLE) from None


def _connect_info(ctxt, token):
    """consoleauth's info for the token, once the instance's compute host
    confirms that the port is still its guest's console (a restarted guest
    may have another port, and something else may listen on the old one)."""
    info = consoleauth_rpcapi.ConsoleAuthAPI().check_token(
        ctxt, consoleauth_rpcapi.hash_token(token))
    if info is None:
        raise Refused(INVALID_TOKEN)
    if info.get("internal_access_path"):
        # No virt driver here tunnels its consoles (Nova's HTTP CONNECT).
        raise Refused("Tunnelled consoles are not supported by this proxy.")
    try:
        instance = conductor_rpcapi.ConductorAPI().instance_get(ctxt, info["instance_uuid"])
    except exception.InstanceNotFound:
        raise Refused(INVALID_TOKEN) from None
    if not instance.host or not compute_rpcapi.ComputeAPI().validate_console_port(
            ctxt, instance.host, instance, str(info["port"]), info["console_type"]):
        raise Refused(INVALID_TOKEN)
    return info


class ConsoleProxyRequestHandler(ProxyRequestHandler):
    """noVNC's pages, and websockets admitted by `admit`."""

    def validate_connection(self):
        """Before the websocket handshake: admit the request, or answer
        with its refusal and close. The target is set on the server, which
        websockify forks for this connection alone."""
        try:
            info = admit(self.headers, self.path)
        except Refused as refused:
            self.send_error(refused.status, refused.reason)
            raise self.server.EClose(f"console refused: {refused.reason}") from None
        self.server.target_host, self.server.target_port = info["host"], int(info["port"])

    def send_head(self):
        # CVE-2021-3654: for a directory without its trailing slash,
        # SimpleHTTPRequestHandler redirects to the path plus "/", and a
        # browser reads "Location: //evil.example/" as another site. Newer
        # Pythons collapse leading slashes first; the request as sent is
        # what counts here, whatever the Python.
        target = self.requestline.split(" ")[1] if " " in self.requestline else ""
        if target.startswith("//"):
            self.send_error(HTTPStatus.BAD_REQUEST, "URI must not start with //")
            return None
        return super().send_head()

    def log_request(self, code="-", size="-"):
        # Every request is logged (websockify does only when verbose); the
        # noVNC page's own URL carries the token, which log_message scrubs.
        http.server.BaseHTTPRequestHandler.log_request(self, code, size)

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        super().log_message("%s", security.scrub(format % args))
