"""Nova's error shape for every 4xx/5xx answer:
`{"badRequest": {"message": "...", "code": 400}}` (Keystone's under
/identity, Neutron's under /network).

Werkzeug HTTP errors, webargs' validation errors (422, turned into 400
as Nova's JSON-schema validation does), StratusExceptions (by `.code`) and
anything unexpected (a generic 500: never a traceback) all end here.

An outage is not a bug: the database or the broker out of reach is a 503
with Retry-After (nothing was done); a call sent whose reply never came
is a 504 saying the outcome is unknown."""
import logging

import flask
from werkzeug import exceptions as wexc
from werkzeug.http import HTTP_STATUS_CODES

from stratus.api.identity import auth
from stratus.common import exception
from stratus.config import get_settings

LOG = logging.getLogger(__name__)

FAULT_NAMES = {400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
               405: "badMethod", 406: "notAcceptable", 409: "conflictingRequest",
               413: "overLimit", 415: "badMediaType", 429: "overLimit",
               501: "notImplemented", 503: "serviceUnavailable"}

# Short texts in place of werkzeug's long default descriptions.
DEFAULT_MESSAGES = {404: "The resource could not be found.",
                    405: "The method is not allowed for the requested URL.",
                    500: "Unexpected API Error. Please report this and attach the API log.",
                    503: "The service is unavailable. Please try again later.",
                    504: ("The service did not answer in time: whether the request was "
                          "carried out is unknown.")}
# The identity API answers in Keystone's error shape, the network API in
# Neutron's.
IDENTITY_PREFIX = "/identity"
NETWORK_PREFIX = "/network"


def http_type(code):
    """Neutron's `type` of an error that is no exception of its own:
    webob's class name (HTTPBadRequest, HTTPNotFound...)."""
    cls = wexc.default_exceptions.get(code)
    return f"HTTP{cls.__name__}" if cls else "HTTPInternalServerError"


def is_network_request():
    path = flask.request.path
    return path == NETWORK_PREFIX or path.startswith(NETWORK_PREFIX + "/")


def fault_body(code, message, error_type=None):
    """The error body of the API the request went to."""
    if flask.request.path.startswith(IDENTITY_PREFIX):
        return {"error": {"code": code, "title": HTTP_STATUS_CODES.get(code, "Error"),
                          "message": message}}
    if is_network_request():
        return {"NeutronError": {"type": error_type or http_type(code), "message": message,
                                 "detail": ""}}
    return {FAULT_NAMES.get(code, "computeFault"): {"message": message, "code": code}}


def fault(code, message, headers=None, error_type=None):
    """A JSON response in the API's fault shape (fault_body); `error_type`
    names the error in Neutron's. A 401 says where to get a token, as
    keystonemiddleware's do."""
    response = flask.jsonify(fault_body(code, message, error_type))
    response.status_code = code
    if code == 401:
        response.headers["WWW-Authenticate"] = auth.www_authenticate()
    if code == 503:
        # Nothing was done (the database or the broker cannot be reached):
        # the same request may be sent again. Not on a 504, whose request
        # may have been carried out: repeating a create could make two.
        response.headers["Retry-After"] = str(get_settings().retry_after)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _validation_message(messages, prefix=""):
    """Flatten webargs' nested {"json": {"server": {"name": [...]}}}."""
    if isinstance(messages, dict):
        parts = [_validation_message(v, _join(prefix, k)) for k, v in messages.items()]
        return " ".join(p for p in parts if p)
    if isinstance(messages, (list, tuple)) and messages and all(isinstance(m, str) for m in messages):
        where = f"Invalid input for field/attribute {prefix}: " if prefix else "Invalid input: "
        return where + " ".join(messages)
    if isinstance(messages, (list, tuple)):
        return " ".join(_validation_message(m, prefix) for m in messages)
    return str(messages)


def _leaves(messages, field=None):
    """(field, text) of each of webargs' messages; a schema-level one
    (`_schema`) has no field."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            inner = None if key == "_schema" else field if key in _LOCATIONS or isinstance(
                key, int) else key
            yield from _leaves(value, inner)
    elif isinstance(messages, (list, tuple)):
        for message in messages:
            yield from _leaves(message, field)
    else:
        yield field, str(messages)


def _neutron_validation_message(messages):
    """Neutron's words: "Invalid input for mtu. Reason: ..."."""
    return " ".join(f"Invalid input for {field}. Reason: {text}" if field else text
                    for field, text in _leaves(messages))


_LOCATIONS = ("json", "query", "querystring", "view_args", "headers", "form")


def _join(prefix, key):
    # webargs nests by location first ("json", "query"): not a field name.
    if not prefix and key in _LOCATIONS:
        return ""
    if key == "_schema":
        return prefix
    return f"{prefix}.{key}" if prefix else str(key)


def handle_http_exception(error):
    """Werkzeug/webargs errors, 422 validation errors included."""
    data = getattr(error, "data", None) or {}
    code = 400 if error.code == 422 else (error.code or 500)
    if "messages" in data:
        flatten = _neutron_validation_message if is_network_request() else _validation_message
        message = flatten(data["messages"])
    elif "message" in data:
        message = data["message"]
    elif error.description and error.description != type(error).description:
        message = error.description
    else:
        message = DEFAULT_MESSAGES.get(code, error.name)
    headers = dict(data.get("headers") or {})
    if code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return fault(code, message, headers)


def handle_stratus_exception(error):
    """An exception from the workers or the API's own checks, by `.code`."""
    code = error.code if isinstance(error.code, int) else 500
    if code >= 500 and code not in (503, 504):
        LOG.error("Unexpected %s: %s", type(error).__name__, error.message)
        return fault(500, DEFAULT_MESSAGES[500])
    if code >= 500 and not _caller_is_admin():
        # A timeout's text names internal queues and methods: for admins only.
        LOG.warning("%s: %s", type(error).__name__, error.message)
        return fault(code, DEFAULT_MESSAGES[code])
    return fault(code, error.message, error_type=type(error).__name__)


def _caller_is_admin():
    ctxt = getattr(flask.g, "context", None)
    return bool(ctxt and ctxt.is_admin)


def handle_unexpected(error):
    """Anything else is a bug: log it whole, tell the client little."""
    if isinstance(error, wexc.HTTPException):
        return handle_http_exception(error)
    LOG.exception("Unexpected API error")
    return fault(500, DEFAULT_MESSAGES[500])


def init_app(app):
    """Register the handlers (they replace flask-smorest's)."""
    app.register_error_handler(wexc.HTTPException, handle_http_exception)
    app.register_error_handler(exception.StratusException, handle_stratus_exception)
    app.register_error_handler(Exception, handle_unexpected)
