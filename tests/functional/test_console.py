"""The browser console on real processes: the API, consoleauth, the
compute of a real QEMU guest (qemu:///system) and `stratus novncproxy`.
Headless Chromium opens the console URL and noVNC reaches "Connected";
then each token rule against the real proxy: forged, expired and purged
tokens and a foreign Origin are refused, `//host` paths are not
redirected, and no token issued here appears in any process's log.
Skipped, with the reason, only where libvirtd cannot be reached."""
import http.client
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.functional import browser
from tests.functional.cloud import wait_for
from tests.functional.wsclient import Handshake

libvirt = pytest.importorskip("libvirt")

HOST = "ft-console"
ZONE = "console"
VNC = {"remote_console": {"protocol": "vnc", "type": "novnc"}}
# Every token the API gave in this module: none may be in a log.
ISSUED = []


@pytest.fixture(scope="module")
def consoles(cloud, qemu, make_flavor):
    """consoleauth, the proxy and a QEMU compute host with one server."""
    cloud.start("consoleauth", "consoleauth", "--concurrency", "4")
    cloud.start("novncproxy", "novncproxy")
    cloud.wait_ready(lambda: _page_answers(cloud), 30, "the noVNC proxy")
    cloud.start_compute(HOST, env={"STRATUS_LIBVIRT_URI": "qemu:///system",
                                   "STRATUS_AVAILABILITY_ZONE": ZONE}, timeout=90)
    cloud.console_image = cloud.import_qcow2("console-empty")
    cloud.console_flavor = make_flavor("ft.console", 1, 64, 1)
    try:
        cloud.console_server = _boot(cloud, "console-guest")
        yield cloud
    finally:
        cloud.delete_all()
        cloud.retire_compute(HOST)
        for name in ("novncproxy", "consoleauth"):
            cloud.stop(name)


def _page_answers(cloud):
    try:
        return requests.get(f"http://127.0.0.1:{cloud.novnc_port}/vnc_lite.html",
                            timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _boot(cloud, name):
    sid = cloud.boot(name, cloud.console_flavor, cloud.console_image, availability_zone=ZONE)
    server = cloud.wait_final([sid], timeout=120)[sid]
    assert (server["status"], server["OS-EXT-SRV-ATTR:host"]) == ("ACTIVE", HOST), server
    return sid


def _url(cloud, server_id):
    reply = cloud.api("POST", f"/servers/{server_id}/remote-consoles", json=VNC,
                      headers={"OpenStack-API-Version": "compute 2.6"})
    assert reply.status_code == 200, reply.text
    url = reply.json()["remote_console"]["url"]
    ISSUED.append(_token(url))
    return url


def _token(url):
    path = parse_qs(urlsplit(url).query)["path"][0]
    return parse_qs(urlsplit(path).query)["token"][0]


def _connect(cloud, token, origin="same"):
    origin = f"http://127.0.0.1:{cloud.novnc_port}" if origin == "same" else origin
    return Handshake(cloud.novnc_port, f"/?token={token}", origin=origin)


def _refused(handshake):
    """A refusal: 403 before any websocket, then the connection closes."""
    try:
        assert handshake.status == 403, handshake.head
        assert handshake.closed_by_peer()
    finally:
        handshake.close()


def test_the_browser_shows_the_guests_console(consoles, tmp_path):
    url = _url(consoles, consoles.console_server)
    assert url.startswith(f"http://127.0.0.1:{consoles.novnc_port}/vnc_lite.html"
                          "?path=%3Ftoken%3D")
    driver = browser.chromium()
    try:
        driver.get(url)
        status = browser.wait_status(driver, ("Connected", "Something went wrong",
                                              "Disconnected"))
        assert status == f"Connected to QEMU (instance-{consoles.console_server})", status
        browser.settle_screen(driver)
        screenshot = tmp_path / "console.png"
        assert driver.save_screenshot(str(screenshot))
        print(f"\nconsole screenshot: {screenshot}")
    finally:
        driver.quit()


def test_a_refused_token_leaves_the_browser_disconnected(consoles):
    url = _url(consoles, consoles.console_server)
    forged = url.replace(_token(url)[:8], "00000000")
    driver = browser.chromium()
    try:
        driver.get(forged)
        assert browser.wait_status(driver, ("Connected", "Something went wrong")) == \
            "Something went wrong, connection is closed"
    finally:
        driver.quit()


def test_a_valid_token_reaches_the_guests_vnc_server(consoles):
    reply = consoles.api("POST", f"/servers/{consoles.console_server}/action",
                         json={"os-getVNCConsole": {"type": "novnc"}},
                         headers={"OpenStack-API-Version": "compute 2.1"})
    assert reply.status_code == 200, reply.text
    token = _token(reply.json()["console"]["url"])
    ISSUED.append(token)
    handshake = _connect(consoles, token)
    try:
        assert handshake.status == 101, handshake.head
        assert handshake.first_frame().startswith(b"RFB 003.")
    finally:
        handshake.close()
    # A token opens its console again until it expires (as Nova's do).
    handshake = _connect(consoles, token, origin=None)
    assert handshake.status == 101
    handshake.close()


def test_a_forged_token_is_refused(consoles):
    token = _token(_url(consoles, consoles.console_server))
    for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), "not-a-token", ""):
        _refused(_connect(consoles, forged))


def test_a_wrong_origin_is_refused(consoles):
    token = _token(_url(consoles, consoles.console_server))
    for origin in ("http://evil.example", f"https://127.0.0.1:{consoles.novnc_port}", "null"):
        _refused(_connect(consoles, token, origin=origin))
    handshake = _connect(consoles, token)  # the same token from the right page
    assert handshake.status == 101
    handshake.close()


def test_an_expired_token_is_refused(consoles):
    consoles.stop("consoleauth")
    consoles.start("consoleauth", "consoleauth", "--concurrency", "4",
                   env={"STRATUS_CONSOLE_TOKEN_TTL": "1"})
    try:
        token = _token(_url(consoles, consoles.console_server))
        time.sleep(1.5)
        _refused(_connect(consoles, token))
    finally:
        consoles.stop("consoleauth")
        consoles.start("consoleauth", "consoleauth", "--concurrency", "4")


def test_the_tokens_of_a_deleted_server_are_purged(consoles):
    doomed = _boot(consoles, "console-doomed")
    token = _token(_url(consoles, doomed))
    assert consoles.sql("SELECT count(*) FROM console_auth_tokens WHERE instance_uuid = %s",
                        doomed) == [(1,)]
    assert consoles.api("DELETE", f"/servers/{doomed}").status_code == 204
    wait_for(lambda: consoles.api("GET", f"/servers/{doomed}").status_code == 404, 60)
    assert consoles.sql("SELECT count(*) FROM console_auth_tokens WHERE instance_uuid = %s",
                        doomed) == [(0,)]
    _refused(_connect(consoles, token))


@pytest.mark.parametrize("path", ["//evil.example/%2F..", "//evil.example/%2F%2E%2E",
                                  "//evil.example", "//evil.example/"])
def test_double_slash_paths_are_not_redirected(consoles, path):
    conn = http.client.HTTPConnection("127.0.0.1", consoles.novnc_port, timeout=10)
    try:
        conn.request("GET", path)  # sent as it is, not normalised by a client
        reply = conn.getresponse()
        assert reply.status == 400, (reply.status, reply.getheaders())
        assert reply.getheader("Location") is None
    finally:
        conn.close()
    # A directory's own redirect (to add its slash) still works, locally.
    local = requests.get(f"http://127.0.0.1:{consoles.novnc_port}/app", allow_redirects=False,
                         timeout=10)
    assert (local.status_code, local.headers["Location"]) == (301, "/app/")


def test_no_token_is_ever_written_to_a_log(consoles):
    assert len(ISSUED) >= 6
    logs = {name: consoles.log(name) for name in
            ("api", "conductor", "consoleauth", "novncproxy", f"compute-{HOST}")}
    # The proxy did log the requests that carried them (scrubbed).
    assert "token%3D***" in logs["novncproxy"] and "token=***" in logs["novncproxy"]
    for name, text in logs.items():
        leaked = [token for token in ISSUED if token in text]
        assert not leaked, f"{name} logged a console token"
