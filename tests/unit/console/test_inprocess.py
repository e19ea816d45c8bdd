"""The console proxy inside a process (the all-in-one's API worker), on
the eager stack: a thread per connection, admission by this process's
roles, pages from the web root without moving the process's cwd, each
connection's target its own, and the all-in-one's binding rules. The
same proxy on a real all-in-one is tests/functional/test_allinone_console.py."""
import os
import socket
import threading
import types

import pytest
import requests

from stratus.cmd import allinone
from stratus.common.context import get_admin_context
from stratus.consoleauth.rpcapi import ConsoleAuthAPI, hash_token
from stratus.novncproxy import inprocess
from tests.functional.wsclient import Handshake
from tests.unit.console.conftest import give_vnc

TOKEN = "in-process-token-0123456789abcdef"
BANNER = b"RFB 003.008\n"


@pytest.fixture
def guest_vnc():
    """A stand-in for a guest's VNC server: sends the RFB banner to each
    connection. Its port."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.sendall(BANNER)

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()


@pytest.fixture
def web(tmp_path):
    (tmp_path / "vnc_lite.html").write_text("<title>noVNC</title>")
    return tmp_path


@pytest.fixture
def proxy_server(web):
    server = inprocess.bind("127.0.0.1", 0, web)
    inprocess.serve_in_background(server)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def console(server, guest_vnc):
    """A server whose guest's VNC port is `guest_vnc`, and a token for it."""
    give_vnc(server, guest_vnc)
    ConsoleAuthAPI().authorize_console(get_admin_context(), hash_token(TOKEN), server,
                                       "127.0.0.1", guest_vnc, "novnc")
    return server


def _port(proxy_server):
    return proxy_server.server_address[1]


def test_the_pages_come_from_the_web_root_and_the_cwd_stays(proxy_server):
    cwd = os.getcwd()
    reply = requests.get(f"http://127.0.0.1:{_port(proxy_server)}/vnc_lite.html", timeout=10)
    assert (reply.status_code, reply.text) == (200, "<title>noVNC</title>")
    assert os.getcwd() == cwd  # the all-in-one's relative paths keep their meaning


def _assert_admitted(port):
    """A websocket with the token, from the proxy's own origin, reaches the guest."""
    handshake = Handshake(port, f"/?token={TOKEN}", origin=f"http://127.0.0.1:{port}")
    try:
        assert handshake.status == 101, handshake.head
        assert handshake.first_frame() == BANNER
    finally:
        handshake.close()


def test_a_valid_token_reaches_the_guest_through_this_processs_roles(proxy_server, console):
    _assert_admitted(_port(proxy_server))


def test_each_connection_keeps_its_target_to_itself(proxy_server, console, guest_vnc):
    handshake = Handshake(_port(proxy_server), f"/?token={TOKEN}")
    try:
        assert handshake.first_frame() == BANNER
        # Connections share this server: a target set on it would send
        # the next connection admitted elsewhere to this guest.
        assert (proxy_server.target_host, proxy_server.target_port) == (None, None)
    finally:
        handshake.close()


def test_a_forged_token_is_refused_and_the_proxy_serves_on(proxy_server, console):
    handshake = Handshake(_port(proxy_server), f"/?token={TOKEN[:-1]}0")
    try:
        assert handshake.status == 403 and handshake.closed_by_peer()
    finally:
        handshake.close()
    good = Handshake(_port(proxy_server), f"/?token={TOKEN}")
    assert good.status == 101
    good.close()


def test_without_novncs_pages_there_is_no_proxy(tmp_path):
    with pytest.raises(inprocess.NoPages, match="STRATUS_NOVNC_WEB"):
        inprocess.bind("127.0.0.1", 0, tmp_path)


@pytest.fixture
def _no_logging_setup(monkeypatch):
    """The all-in-one sets the proxy's logger up; not in the test process."""
    from stratus.novncproxy import server

    monkeypatch.setattr(server, "configure_logging", lambda *args: None)


def _settings(web, port):
    return types.SimpleNamespace(log_level="INFO", novncproxy_host="127.0.0.1",
                                 novncproxy_port=port, novnc_web=web)


def test_the_all_in_one_runs_without_consoles_when_novnc_is_missing(tmp_path, capsys,
                                                                   _no_logging_setup):
    assert allinone._bind_console(_settings(tmp_path, 0)) is None
    assert "no consoles: noVNC is not in" in capsys.readouterr().err


def test_the_all_in_one_stops_when_the_console_port_is_taken(web, _no_logging_setup):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        with pytest.raises(SystemExit, match="set STRATUS_NOVNCPROXY_PORT"):
            allinone._bind_console(_settings(web, taken.getsockname()[1]))


def test_the_all_in_one_worker_serves_the_inherited_socket_once_someone_connects(
        web, console, _no_logging_setup):
    from stratus.novncproxy import listener

    sock = listener.listen("127.0.0.1", 0, web)  # as the master binds it
    port = sock.getsockname()[1]
    allinone._serve_console(sock, _settings(web, port))
    _assert_admitted(port)
    page = requests.get(f"http://127.0.0.1:{port}/vnc_lite.html", timeout=10)
    assert (page.status_code, page.text) == (200, "<title>noVNC</title>")
