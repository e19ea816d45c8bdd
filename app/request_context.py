"""The per-request RequestContext and request id.

Until authentication lands, every request (with a token or without) acts
as an admin of settings.default_project_id / default_user_id."""
import flask

from config import get_settings
from workers.context import RequestContext, new_request_id

REQUEST_ID_HEADERS = ("x-openstack-request-id", "x-compute-request-id")


def build_context(request_id):
    """The context a request acts with (the default admin for now)."""
    settings = get_settings()
    return RequestContext(user_id=settings.default_user_id,
                          project_id=settings.default_project_id,
                          roles=["admin", "member", "reader"],
                          request_id=request_id, is_admin=True)


def get_context():
    """The current request's context."""
    return flask.g.context


def start_request():
    """before_request: a request id and a context for this request."""
    flask.g.request_id = new_request_id()
    flask.g.context = build_context(flask.g.request_id)


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
