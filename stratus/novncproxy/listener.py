"""The console proxy's listening socket, without the proxy: what the
all-in-one's gunicorn master makes before it forks the API's worker,
which then serves it (stratus.novncproxy.inprocess). Kept apart so that
the master binds it without loading websockify and the roles' stubs."""
import select
import socket
import socketserver
import threading
from pathlib import Path


class NoPages(Exception):
    """noVNC's pages are not where the settings say."""


def listen(host, port, web):
    """A socket listening on host:port, as http.server's servers bind one.
    NoPages without noVNC's pages in `web`; OSError when the address
    cannot be bound."""
    if not (Path(web) / "vnc_lite.html").is_file():
        raise NoPages(f"noVNC is not in {web}: install Debian's `novnc` package "
                      "or set STRATUS_NOVNC_WEB")
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # http.server's choice
        sock.bind((host, port))
        sock.listen(socketserver.TCPServer.request_queue_size)
    except OSError:
        sock.close()
        raise
    return sock


def serve_from_first_connection(sock, serve):
    """In a daemon thread named `novncproxy`: wait for the first connection
    on `sock`, then run serve(sock), which accepts it and all after it.
    The proxy (websockify, and numpy that it loads) so costs an idle
    process nothing until someone opens a console."""
    def wait_then_serve():
        select.select([sock], [], [])
        serve(sock)

    thread = threading.Thread(target=wait_then_serve, name="novncproxy", daemon=True)
    thread.start()
    return thread
