"""The console proxy's rules, as Nova learned them the hard way. Plain
functions of the request, so that each rule is tested on its own.

- Cross-site websocket hijacking (CVE-2015-0259): a page from another site
  may open a websocket to the proxy with the user's cookies; a browser
  always says where the page came from in `Origin`, which must name this
  proxy's host (or a configured allowed one).
- Tokens in logs (CVE-2015-9543): a token is a key to a console until it
  expires; every line the proxy logs has it replaced by `***`.
- Open redirect (CVE-2021-3654): see ConsoleProxyRequestHandler.send_head."""
import logging
import re
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

# `token=...` in a query, once or twice URL-encoded as noVNC's `path`
# parameter carries it (`path=%3Ftoken%3D...`).
_TOKEN_RE = re.compile(r"(token(?:=|%3D|%253D))[^&;\s'\"]+", re.IGNORECASE)


def scrub(text):
    """`text` with the value of every `token=` replaced by `***`."""
    return _TOKEN_RE.sub(r"\1***", text)


class TokenScrubber(logging.Filter):
    """A handler filter: no record leaves the process with a token in it."""

    def filter(self, record):
        message = record.getMessage()
        record.msg, record.args = scrub(message), ()
        return True


def token_from(path, cookie_header):
    """The console token of a websocket request (Nova's rule): `token` in
    the query of its path, else the `token` cookie that older noVNC
    versions set. "" when there is none."""
    token = parse_qs(urlsplit(path).query).get("token", [""])[-1]
    if token or not cookie_header:
        return token
    cookie = SimpleCookie()
    # One part at a time: SimpleCookie stops at the first malformed one.
    for part in cookie_header.split(";"):
        cookie.load(part.strip())
    return cookie["token"].value if "token" in cookie else ""


def origin_refusal(headers, allowed_hosts, base_url):
    """Why this request's Origin may not open a console here, or None.

    No Origin is a client that is not a browser (it cannot be hijacked).
    Otherwise its host name must be the one the request was sent to (the
    Host header) or one of `allowed_hosts`, and its scheme (or that of
    X-Forwarded-Proto, behind a TLS proxy) the scheme of `base_url`."""
    origin = headers.get("Origin")
    if origin is None:
        return None
    parsed = urlsplit(origin)
    scheme = headers.get("X-Forwarded-Proto") or parsed.scheme
    if not parsed.hostname or not scheme:
        return "Origin header not valid."
    expected = {host.lower() for host in allowed_hosts}
    request_host = urlsplit("//" + headers.get("Host", "")).hostname
    if request_host:
        expected.add(request_host)
    if parsed.hostname not in expected:
        return "Origin header does not match this host."
    if scheme.lower() != urlsplit(base_url).scheme.lower():
        return "Origin header protocol does not match this host."
    return None
