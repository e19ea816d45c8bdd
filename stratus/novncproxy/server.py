"""`stratus novncproxy`: the websockify server with Stratus' handler,
serving the noVNC pages of Debian's `novnc` package."""
import logging
import sys
from pathlib import Path

from websockify.websocketproxy import WebSocketProxy

from stratus.config import get_settings
from stratus.novncproxy.proxy import ConsoleProxyRequestHandler
from stratus.novncproxy.security import TokenScrubber


class ConsoleProxy(WebSocketProxy):
    """websockify's server, each connection's target set by its admission."""

    def started(self):
        self.msg("  - proxying from %s:%s to the guests' VNC servers that consoleauth "
                 "admits", self.listen_host, self.listen_port)


def configure_logging(level, name=None):
    """One stderr handler whose filter scrubs tokens from every record, the
    handler's, websockify's and the RPC clients' alike: on the root logger,
    or only on logger `name` (then kept from its parents' handlers, for a
    process whose other logging is not the proxy's to set)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(TokenScrubber())
    logger = logging.getLogger(name)
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = name is None


def main(host=None, port=None, web=None):
    settings = get_settings()
    configure_logging(settings.log_level)
    web = Path(web or settings.novnc_web)
    if not (web / "vnc_lite.html").is_file():
        sys.exit(f"noVNC is not in {web}: install Debian's `novnc` package "
                 "or set STRATUS_NOVNC_WEB")
    server = ConsoleProxy(RequestHandlerClass=ConsoleProxyRequestHandler,
                          listen_host=host or settings.novncproxy_host,
                          listen_port=port or settings.novncproxy_port,
                          web=str(web), file_only=True)
    server.start_server()
