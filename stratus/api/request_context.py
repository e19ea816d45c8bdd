"""The per-request RequestContext and request id.

The context is the X-Auth-Token's user, project and roles
(app.identity.auth); a request without a valid token is a 401, except on
the routes anyone may read (version discovery, asking for a token)."""
import flask

from stratus.api.identity import auth
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


def init_app(app):
    # Registered before microversion's hooks so that a 406 still carries an id.
    app.before_request(start_request)
    app.after_request(add_request_id)
