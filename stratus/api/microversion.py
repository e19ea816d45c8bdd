"""Compute API microversions 2.1 to 2.96, negotiated as Nova does.

Read from `OpenStack-API-Version: compute X` (preferred) or the legacy
`X-OpenStack-Nova-API-Version: X`; "latest" is the maximum, no header is
the minimum. The result sits on `flask.g.api_version` as a (major, minor)
tuple and is echoed in both headers of every versioned response."""
import re

import flask
from werkzeug.exceptions import BadRequest

MIN_VERSION = (2, 1)
MAX_VERSION = (2, 96)
HEADER = "OpenStack-API-Version"
LEGACY_HEADER = "X-OpenStack-Nova-API-Version"
SERVICE_TYPE = "compute"
# Only the compute API is versioned; version discovery is not.
VERSIONED_PREFIX = "/v2.1/"

_VERSION_RE = re.compile(r"^([1-9][0-9]*)\.([1-9][0-9]*|0)$")


class NotAcceptable(BadRequest):
    """A well-formed version outside the supported range (406)."""

    code = 406


def to_string(version):
    return f"{version[0]}.{version[1]}"


def parse(text):
    """'2.60' or 'latest' -> (2, 60); 400 when malformed, 406 when out of range."""
    text = text.strip()
    if text.lower() == "latest":
        return MAX_VERSION
    match = _VERSION_RE.match(text)
    if not match:
        raise BadRequest(f"API Version String {text} is of invalid format. "
                         "Must be of format MajorNum.MinorNum.")
    version = (int(match.group(1)), int(match.group(2)))
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise NotAcceptable(f"Version {text} is not supported by the API. Minimum is "
                            f"{to_string(MIN_VERSION)} and maximum is {to_string(MAX_VERSION)}.")
    return version


def requested(headers):
    """The compute version asked for in the headers, or None."""
    for value in headers.getlist(HEADER):
        # "compute 2.60, image 2.1": one entry per service type.
        for entry in value.split(","):
            service, _, version = entry.strip().partition(" ")
            if service.lower() == SERVICE_TYPE and version.strip():
                return version
    legacy = headers.get(LEGACY_HEADER)
    return legacy if legacy and legacy.strip() else None


def is_supported(min_version=None, max_version=None):
    """Whether the request's microversion is within [min, max]; '2.47' strings."""
    current = getattr(flask.g, "api_version", MIN_VERSION)
    if min_version and current < parse_plain(min_version):
        return False
    return not (max_version and current > parse_plain(max_version))


def parse_plain(text):
    major, _, minor = text.partition(".")
    return int(major), int(minor)


def is_versioned(path):
    """Whether the path is a compute API resource (negotiated), not discovery."""
    return path.startswith(VERSIONED_PREFIX) and path.rstrip("/") != "/v2.1"


def negotiate():
    """before_request: settle the microversion of a compute API request."""
    flask.g.api_version = MIN_VERSION
    if not is_versioned(flask.request.path):
        return
    text = requested(flask.request.headers)
    if text is not None:
        flask.g.api_version = parse(text)
    flask.g.versioned = True


def echo(response):
    """after_request: tell the client which version answered, as Nova does."""
    if getattr(flask.g, "versioned", False) or is_versioned(flask.request.path):
        version = to_string(getattr(flask.g, "api_version", MIN_VERSION))
        response.headers[HEADER] = f"{SERVICE_TYPE} {version}"
        response.headers[LEGACY_HEADER] = version
        response.vary.add(HEADER)
        response.vary.add(LEGACY_HEADER)
    return response


def init_app(app):
    app.before_request(negotiate)
    app.after_request(echo)
