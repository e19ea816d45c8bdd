"""Who is asking: every API request carries a valid X-Auth-Token, except
version discovery (clients read it without a token), asking for a token,
and the API's own documentation pages.

A token is valid when it decrypts with our keys, has not expired, is
not in the conductor's revocation list, and its user is still enabled
with its roles on its project (recheck); the request's context is then
the token's user, project and roles (admin makes is_admin, as Nova's
`context_is_admin` rule).

The revocation list is the conductor's, so checking it is a message.
A request does not send one of its own: its first call to the conductor
carries the token (RequestContext.token_check), and the conductor refuses
that call, before running it, when the token was revoked. Before any
other message (a cast, another role, a conductor capped below 1.13), and
at the end of a request that sent none (request_context.settle_token),
the api asks the conductor itself: a revoked token gets its 401 before
anything is done for it. (An admin's token may meet a 5xx before it was
checked, say when the conductor cannot be reached: the error's reason,
shown to admins, is no data of the cloud's.)"""
import flask

from stratus.api import common
from stratus.api.identity import recheck, tokens
from stratus.common import exception
from stratus.common.context import RequestContext

TOKEN_HEADER = "X-Auth-Token"
AUTH_TOKENS_PATH = "/identity/v3/auth/tokens"
# Paths (without a trailing slash) anyone may GET.
_DISCOVERY = frozenset({"", "/v2", "/v2.1", "/identity", "/identity/v3", "/image", "/image/v2",
                        "/network", "/network/v2.0", "/openapi.json", "/swagger-ui"})
_DOC_ASSETS = "/swagger-ui-assets/"


def is_public(request):
    return is_public_path(request.method, request.path)


def is_public_path(method, path):
    """Whether anyone may send `method` to `path` without a token (the
    OpenAPI document asks too, to know which operations answer 401)."""
    if method == "POST":
        return path.rstrip("/") == AUTH_TOKENS_PATH
    return path.rstrip("/") in _DISCOVERY or path.startswith(_DOC_ASSETS)


def anonymous_context(request_id):
    """The context of a request made without a token."""
    return RequestContext(user_id="", project_id="", roles=[], request_id=request_id)


def context_from(token, request_id):
    return RequestContext(user_id=token.user_id, project_id=token.project_id,
                          roles=list(token.roles), request_id=request_id,
                          is_admin="admin" in token.roles)


def valid_token(text, ctxt):
    """The Token of `text` if it is valid, else None: ours, unexpired, not
    revoked, and its user still entitled to its roles (recheck)."""
    token = tokens.decode(text) if text else None
    if token is None or common.conductor().token_revoked(ctxt, token.id):
        return None
    return token if recheck.still_entitled(token, ctxt) else None


def authenticate(request_id):
    """The request's context; NotAuthenticated (401) without a valid token.
    Whether it was revoked is checked later (see the module's text)."""
    anonymous = anonymous_context(request_id)
    if is_public(flask.request):
        return anonymous
    text = flask.request.headers.get(TOKEN_HEADER)
    token = tokens.decode(text) if text else None
    if token is None or not recheck.still_entitled(token, anonymous):
        raise exception.NotAuthenticated()
    ctxt = context_from(token, request_id)
    ctxt.token_check, ctxt.check_token = token.id, _refuser(anonymous)
    return ctxt


def _refuser(ctxt):
    """The sender's own revocation check, asked in `ctxt` (the
    anonymous context, which carries no token to check)."""
    def refuse_revoked(token_id):
        if common.conductor().token_revoked(ctxt, token_id):
            raise exception.NotAuthenticated()
    return refuse_revoked


def www_authenticate():
    """Where to get a token, as keystonemiddleware tells on every 401."""
    return f'Keystone uri="{common.base_url()}/identity"'
