"""The console proxy inside a process that serves other things (the
all-in-one's API worker): a thread per connection instead of websockify's
process per connection, so that each admission runs on the roles this
process serves in local mode (consoleauth, the conductor, compute), and
the proxy ends with the process, leaving nothing to stop.

The listening socket is made in the process that forks the workers
(gunicorn's master), before the fork (stratus.novncproxy.listener);
the worker wraps it in a ThreadedConsoleProxy and serves it
(`serve_in_background`). The socket is so bound once, whatever the
number of workers the master forks over time, and a restarted worker
serves it again."""
import logging
import socket
import sys
import threading
from http.server import HTTPServer
from socketserver import ThreadingMixIn

from websockify.websockifyserver import WebSockifyServer

from stratus.novncproxy.listener import NoPages, listen  # noqa: F401 (NoPages: raised by bind)
from stratus.novncproxy.proxy import ConsoleProxyRequestHandler
from stratus.novncproxy.security import scrub

LOG = logging.getLogger("stratus.novncproxy")


class _Connection:
    """One connection's view of the server. websockify's handler keeps its
    target on `self.server`, safe there because each connection runs in a
    forked copy of the server; here connections share one server, so each
    gets this view: it reads the server's settings and keeps its writes."""

    def __init__(self, server):
        self._server = server

    def __getattr__(self, name):
        return getattr(self._server, name)


class ThreadedRequestHandler(ConsoleProxyRequestHandler):
    """ConsoleProxyRequestHandler, with a server view of its own and the
    pages read from the server's web root (websockify chdirs there; a
    process with relative paths of its own, as the all-in-one's SQLite
    database, must not)."""

    def __init__(self, request, client_address, server):
        super().__init__(request, client_address, _Connection(server))

    def setup(self):
        super().setup()
        self.directory = self.server.web


class ThreadedConsoleProxy(ThreadingMixIn, HTTPServer):
    """The console proxy as a threaded HTTP server, carrying the settings
    websockify's handlers read from their server."""

    daemon_threads = True  # an open console never holds the process up
    block_on_close = False
    EClose = WebSockifyServer.EClose
    only_upgrade, file_only, verbose, daemon, run_once = False, True, False, False, False
    record, traffic, web_auth, host_token, handler_id = "", False, False, False, 0
    wrap_cmd = unix_target = unix_listen = ssl_target = heartbeat = None
    token_plugin = auth_plugin = target_host = target_port = None
    logger = LOG

    def __init__(self, sock, web):
        """The server of `sock`, a socket already listening (listener.listen)."""
        self.web = str(web)
        self.address_family = sock.family
        super().__init__(sock.getsockname(), ThreadedRequestHandler, bind_and_activate=False)
        self.socket.close()  # the one made for binding; `sock` is bound already
        self.socket = sock
        # What HTTPServer.server_bind records once it has bound.
        self.server_name = socket.getfqdn(self.server_address[0])
        self.server_port = self.server_address[1]

    def handle_error(self, request, client_address):
        """A refusal is one line (the handler already answered it); a
        connection that broke, one line; anything else, its traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (self.EClose, OSError)):
            LOG.info("%s: %s", client_address[0], scrub(str(exc)))
        else:
            LOG.exception("console connection from %s failed", client_address[0])


def bind(host, port, web):
    """A ThreadedConsoleProxy listening on host:port (not yet serving),
    its pages from `web`. NoPages without noVNC's pages there; OSError
    when the address cannot be bound."""
    return ThreadedConsoleProxy(listen(host, port, web), web)


def serve_in_background(server):
    """Serve `server` from a daemon thread of this process; the thread."""
    thread = threading.Thread(target=server.serve_forever, name="novncproxy", daemon=True)
    thread.start()
    return thread
