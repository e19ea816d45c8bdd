"""/identity/v3/auth/tokens: issue a token for a password and a project
(201, the token in X-Subject-Token, Keystone's token body with the
service catalog), validate one (GET) and revoke one (DELETE).

Validating or revoking someone else's token is for admins (Keystone's
identity:validate_token and identity:revoke_token); an unknown, expired
or revoked subject token is a 404, as Keystone's."""
import datetime

import flask
from flask.views import MethodView
from marshmallow import INCLUDE, Schema, fields

from stratus.api import common, policy
from stratus.api.api import Blueprint
from stratus.api.identity import auth, catalog, tokens
from stratus.api.request_context import get_context
from stratus.common import exception
from stratus.common.objects.identity import DEFAULT_DOMAIN

blp = Blueprint("identity_tokens", __name__, url_prefix="/identity/v3",
                description="Identity: tokens")

SUBJECT_HEADER = "X-Subject-Token"
TokenResponse = Schema.from_dict({"token": fields.Dict()}, name="TokenResponse")


class _Open(Schema):
    """Keystone's request objects: other keys are let through."""

    class Meta:
        unknown = INCLUDE


class Reference(_Open):
    """A user or a project, by id or by name (and domain)."""

    id = fields.String()
    name = fields.String()
    domain = fields.Dict()


class PasswordUser(Reference):
    password = fields.String(required=True)


class PasswordMethod(_Open):
    user = fields.Nested(PasswordUser, required=True)


class Identity(_Open):
    methods = fields.List(fields.String(), required=True)
    password = fields.Nested(PasswordMethod)


class Scope(_Open):
    """Only project scopes are supported."""

    project = fields.Nested(Reference, required=True)


class Auth(_Open):
    identity = fields.Nested(Identity, required=True)
    scope = fields.Nested(Scope)


class AuthBody(_Open):
    """{"auth": {"identity": {"methods": ["password"], "password": {"user":
    {"name", "domain": {"name"}, "password"}}}, "scope": {"project":
    {"name", "domain": {"name"}}}}}; a user or project may be named by id."""

    auth = fields.Nested(Auth, required=True)


def credentials(body):
    """(user reference, password, project reference or None) of a
    password authentication request (its shape checked by AuthBody)."""
    identity = body["auth"]["identity"]
    if "password" not in identity["methods"]:
        raise exception.NotAuthenticated("Attempted to authenticate with an unsupported method.")
    if "password" not in identity:
        raise exception.Invalid("Invalid input for field 'identity': 'password' is a required "
                                "property.")
    user = identity["password"]["user"]
    project = body["auth"].get("scope", {}).get("project")
    return {k: v for k, v in user.items() if k != "password"}, user["password"], project


def _isotime(timestamp):
    """Keystone's token times: '2026-01-02T03:04:05.000000Z'."""
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


def token_view(token, with_catalog=True):
    """Keystone's token body."""
    view = {"methods": ["password"],
            "user": {"id": token.user_id, "name": token.user_name, "domain": DEFAULT_DOMAIN,
                     "password_expires_at": None},
            "audit_ids": [token.id], "expires_at": _isotime(token.expires_at),
            "issued_at": _isotime(token.issued_at),
            "project": {"id": token.project_id, "name": token.project_name,
                        "domain": DEFAULT_DOMAIN},
            "is_domain": False,
            "roles": [{"id": catalog.role_id(name), "name": name} for name in token.roles]}
    if with_catalog:
        view["catalog"] = catalog.catalog()
    return view


def subject_token(action):
    """The valid token in X-Subject-Token that the caller may act on."""
    token = auth.valid_token(flask.request.headers.get(SUBJECT_HEADER), get_context())
    if token is None:
        raise exception.TokenNotFound()
    policy.authorize(f"identity:{action}_token", user_id=token.user_id)
    return token


SUBJECT_PARAMETER = {"in": "header", "name": SUBJECT_HEADER, "required": True,
                     "schema": {"type": "string"}, "description": "The token acted on."}


@blp.route("/auth/tokens")
class AuthTokens(MethodView):
    """Tokens."""

    @blp.arguments(AuthBody)
    @blp.response(201, TokenResponse)
    def post(self, body):
        """Authenticate with a password; the token is in X-Subject-Token."""
        user, password, project = credentials(body)
        found = common.conductor().user_authenticate(get_context(), user, password, project)
        text, token = tokens.issue(found["user"], found["project"], found["roles"])
        return {"token": token_view(token)}, {SUBJECT_HEADER: text}

    @blp.doc(parameters=[SUBJECT_PARAMETER])
    @blp.response(200, TokenResponse)
    @blp.alt_response(404, description="X-Subject-Token is not a valid token.")
    def get(self):
        """Validate the token in X-Subject-Token (?nocatalog leaves the catalog out)."""
        token = subject_token("validate")
        body = {"token": token_view(token, "nocatalog" not in flask.request.args)}
        return body, {SUBJECT_HEADER: flask.request.headers[SUBJECT_HEADER]}

    @blp.doc(parameters=[SUBJECT_PARAMETER])
    @blp.response(204)
    @blp.alt_response(404, description="X-Subject-Token is not a valid token.")
    def delete(self):
        """Revoke the token in X-Subject-Token."""
        token = subject_token("revoke")
        common.conductor().token_revoke(get_context(), token.id, _isotime(token.expires_at))
        return ""
