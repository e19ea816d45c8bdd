"""The error side of the OpenAPI document, stated by rule instead of route
by route: which faults an operation can answer follows from what it is
(authenticated or public, versioned, with path parameters, with a body,
changing state), the same facts that make the app answer them. Each
fault name has one schema (Nova's `{"itemNotFound": {"message", "code"}}`;
Keystone's `{"error": {...}}` under /identity, Neutron's
`{"NeutronError": {"type", "message", "detail"}}` under /network).

Also the one hook through which the custom fields of stratus.api.schemas
describe themselves (`json_schema()`), so that a field's document and its
check live in the same class."""
from apispec import BasePlugin

from stratus.api import errors, microversion
from stratus.api.identity import auth

MUTATING = frozenset({"post", "put", "patch", "delete"})
# Status -> what it means here, for the response's description.
DESCRIPTIONS = {
    400: "The request is malformed or fails the body, query or header constraints.",
    401: "No valid X-Auth-Token.",
    403: "The policy forbids this to the caller, or a quota is exceeded.",
    404: "The resource named in the path does not exist or is not visible to the caller.",
    406: "The requested microversion is outside the supported range.",
    409: "The resource's state or a concurrent change conflicts with the request.",
    410: "The action was removed from the API.",
    414: "The URL is longer than the HTTP server reads (its own answer, not JSON).",
    415: "The request body's media type is not one this operation takes.",
    413: "The request body is larger than the API accepts.",
    501: "Nova's answer for a feature this deployment does not have.",
    503: "The database or the message broker cannot be reached: nothing was done; retry "
         "after Retry-After seconds.",
    504: "The request was sent but its reply never came: whether it was carried out is "
         "unknown.",
}
# Answered by the HTTP server (gunicorn) before the app sees the request.
SERVER_ANSWERS = frozenset({414})
# One schema per fault name; some names serve several codes (Nova's).
COMPUTE_FAULT = "computeFault"


def fault_name(status):
    return errors.FAULT_NAMES.get(status, COMPUTE_FAULT)


def _codes_of(name):
    """The statuses answered under a fault name: computeFault takes every
    status without a name of its own (Nova's), 500 included."""
    documented = sorted(set(DESCRIPTIONS) | {500})
    return [code for code in documented if fault_name(code) == name] or sorted(
        code for code, fault in errors.FAULT_NAMES.items() if fault == name)


def fault_schema(name):
    """Nova's body `{name: {"message": str, "code": int}}` and nothing else."""
    inner = {"type": "object", "required": ["message", "code"], "additionalProperties": False,
             "properties": {"message": {"type": "string"},
                            "code": {"type": "integer", "enum": _codes_of(name)}}}
    return {"type": "object", "required": [name], "additionalProperties": False,
            "properties": {name: inner}}


IDENTITY_ERROR = {
    "type": "object", "required": ["error"], "additionalProperties": False,
    "properties": {"error": {
        "type": "object", "required": ["code", "title", "message"], "additionalProperties": False,
        "properties": {"code": {"type": "integer"}, "title": {"type": "string"},
                       "message": {"type": "string"}}}},
}
NEUTRON_ERROR = {
    "type": "object", "required": ["NeutronError"], "additionalProperties": False,
    "properties": {"NeutronError": {
        "type": "object", "required": ["type", "message", "detail"],
        "additionalProperties": False,
        "properties": {"type": {"type": "string", "description": "The error's class name "
                                "(NetworkNotFound, HTTPBadRequest...)."},
                       "message": {"type": "string"}, "detail": {"type": "string"}}}},
}
# The APIs with an error shape of their own: path prefix -> (response
# name prefix, schema name, schema).
OWN_SHAPES = {errors.IDENTITY_PREFIX: ("Identity", "IdentityError", IDENTITY_ERROR),
              errors.NETWORK_PREFIX: ("Network", "NeutronError", NEUTRON_ERROR)}
HEADERS = {
    401: {"WWW-Authenticate": {"description": "Where to get a token (Keystone uri=...).",
                               "schema": {"type": "string"}}},
    503: {"Retry-After": {"description": "Seconds to wait before sending the request again.",
                          "schema": {"type": "integer", "minimum": 0}}},
}
MICROVERSION_PARAMETER = {
    "in": "header", "name": microversion.HEADER, "required": False,
    "description": (
        f"`compute X.Y` ({microversion.to_string(microversion.MIN_VERSION)} to "
        f"{microversion.to_string(microversion.MAX_VERSION)}) or `compute latest`, among "
        "other services' entries (comma-separated); without a compute entry, 2.1. A "
        "malformed compute version is a 400, one outside the range a 406."),
    "schema": {"type": "string"},
}


def response_name(status, shape=""):
    """The shared response of an error status, in an API's shape ("" for
    Nova's, else an OWN_SHAPES prefix)."""
    return f"{shape}Error{status}"


def shape_of(path):
    """The error shape of a path: "" (Nova's) or an OWN_SHAPES prefix."""
    for prefix, (shape, _name, _schema) in OWN_SHAPES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return shape
    return ""


def statuses(path, method, operation):
    """The error statuses an operation can answer, by what it is."""
    found = set()
    public = auth.is_public_path(method.upper(), path)
    if not public or path.rstrip("/") == auth.AUTH_TOKENS_PATH:
        # Both check a token or a password with the conductor.
        found |= {401, 503, 504}
    if not public:
        found.add(403)
    if "{" in path:
        found.add(404)
    if "{" in path or operation.get("parameters"):
        found.add(414)
    if operation.get("requestBody") or operation.get("parameters"):
        found.add(400)
    if operation.get("requestBody"):
        found.add(413)
    if microversion.is_versioned(path):
        found |= {400, 406}
    if method in MUTATING and not public:
        found.add(409)
    return found


def _set_response(operation, status, ref):
    responses = operation.setdefault("responses", {})
    responses.pop(status, None)
    responses[str(status)] = ref


class ErrorsPlugin(BasePlugin):
    """Adds each operation's error responses, and the microversion header
    to each versioned one, as the path is registered."""

    def init_spec(self, spec):
        super().init_spec(spec)
        self.spec = spec
        for name in sorted(set(errors.FAULT_NAMES.values()) | {COMPUTE_FAULT}):
            spec.components.schema(f"{name}Fault", fault_schema(name))
        shapes = {"": None}
        for shape, name, schema in OWN_SHAPES.values():
            spec.components.schema(name, schema)
            shapes[shape] = name
        for status, description in DESCRIPTIONS.items():
            for shape, own_schema in shapes.items():
                schema = own_schema or f"{fault_name(status)}Fault"
                response = {"description": description}
                if status not in SERVER_ANSWERS:
                    response["content"] = {"application/json": {
                        "schema": {"$ref": f"#/components/schemas/{schema}"}}}
                if status in HEADERS:
                    response["headers"] = HEADERS[status]
                spec.components.response(response_name(status, shape), response)

    def schema_helper(self, name, definition, **kwargs):
        """A schema's own schema-level keywords (`OPENAPI`), for what
        marshmallow's Meta cannot say (an object of exactly one key)."""
        return dict(getattr(kwargs.get("schema"), "OPENAPI", {}))

    def operation_helper(self, path=None, operations=None, **kwargs):
        shape = shape_of(path)
        for method, operation in (operations or {}).items():
            for status in statuses(path, method, operation) | _declared(operation):
                _set_response(operation, status, response_name(status, shape))
            if microversion.is_versioned(path):
                operation.setdefault("parameters", []).append(dict(MICROVERSION_PARAMETER))


def _declared(operation):
    """Error statuses a view declared itself (`@blp.alt_response(501)`):
    they get the shared fault response too."""
    return {int(code) for code in operation.get("responses", {})
            if str(code).isdigit() and int(code) in DESCRIPTIONS}


def field_schema(converter, field, **kwargs):
    """apispec attribute function: a custom field's own
    `json_schema(converter)` (the converter resolves nested schemas)."""
    describe = getattr(field, "json_schema", None)
    return describe(converter) if describe else {}
