"""The per-request RequestContext and request id.

The context is the X-Auth-Token's user, project and roles
(app.identity.auth); a request without a valid token is a 401, except on
the routes anyone may read (version discovery, asking for a token)."""
import flask

from stratus.api import errors
from stratus.api.identity import auth
from stratus.common import exception
from stratus.common.context import new_request_id

REQUEST_ID_HEADERS = ("x-openstack-request-id", "x-compute-request-id")


def get_context():
    """The current request's context."""
    return flask.g.context


def start_request():
    """before_request: a request id and the caller's context (an anonymous
    one first, so that a 401 is rendered as for anyone else)."""
    flask.g.request_id = new_request_id()
    flask.g.context = auth.anonymous_context(flask.g.request_id)
    flask.g.context = auth.authenticate(flask.g.request_id)


def add_request_id(response):
    """after_request: return the request id like Nova (both headers)."""
    request_id = getattr(flask.g, "request_id", None)
    if request_id:
        for header in REQUEST_ID_HEADERS:
            response.headers[header] = request_id
    return response


def settle_token(response):
    """after_request: a request that sent no message carrying its token's
    check (auth's module text) checks it now; a revoked token's answer is
    then its 401 (nothing was sent for it: what it asked was not done)."""
    ctxt = getattr(flask.g, "context", None)
    if ctxt is None or not ctxt.token_check or response.status_code == 401 \
            or response.status_code >= 500:
        return response
    try:
        ctxt.settle_token()
    except exception.StratusException as exc:
        return errors.handle_stratus_exception(exc)
    return response


def init_app(app):
    # Registered before microversion's hooks so that a 406 still carries an id.
    app.before_request(start_request)
    app.after_request(add_request_id)


def init_last(app):
    """Registered after every other after_request hook, so that it runs
    first (Flask runs them last to first) and its 401 is finished by them."""
    app.after_request(settle_token)
