"""The api role: a Flask app that speaks the Nova compute API v2.1 (and a
Glance-v2-shaped image subset) so that unchanged OpenStack clients work.

It imports only the rpcapi stubs, the wire objects, the context, the
exceptions and config: every piece of data comes through conductor calls."""
from flask import Flask

from app import errors, microversion, request_context, swagger_assets
from app.api import StratusApi

# flask-smorest and OpenAPI settings. Swagger UI's files come from the
# swagger-ui-bundle package and are served by the app itself, so the page
# works on a machine without internet access.
DEFAULT_CONFIG = {
    "API_TITLE": "Stratus compute API",
    "API_VERSION": "2.1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "swagger-ui",
    "OPENAPI_SWAGGER_UI_URL": "/swagger-ui-assets/",
    # None: links use STRATUS_PUBLIC_URL, else the address the client used.
    "PUBLIC_URL": None,
    # Nova's osapi_max_request_body_size: larger bodies are a 413 overLimit.
    "MAX_CONTENT_LENGTH": 114688,
}


def _blueprints():
    from app import flavors, hypervisors, images, networks, servers, services, versions

    from app import server_groups

    return [versions.blp, flavors.blp, servers.blp, hypervisors.blp, services.blp,
            images.blp, images.nova_blp, networks.blp] + [server_groups.blp] + _operator() \
        + _server_life_cycle() + _certificates() \
        + _identity() + _consoles()


def _operator():
    """Key pairs, availability zones, limits and quota sets."""
    from app import availability_zones, keypairs, limits, quota_sets

    return [keypairs.blp, availability_zones.blp, limits.blp, quota_sets.blp]


def _server_life_cycle():
    """Server actions, metadata and instance actions."""
    from app import instance_actions, server_actions, server_metadata

    return [server_actions.blp, server_metadata.blp, instance_actions.blp]


def _certificates():
    """x509 certificates from the cert role's CA."""
    from app import certificates

    return [certificates.blp]


def _consoles():
    """Remote console URLs (noVNC)."""
    from app import remote_consoles

    return [remote_consoles.blp]


def _identity():
    """The Keystone v3 subset: version discovery and tokens."""
    from app.identity import auth_tokens, versions as identity_versions

    return [identity_versions.blp, auth_tokens.blp]


def create_app(config=None):
    """Build the API application (the WSGI callable for gunicorn)."""
    flask_app = Flask(__name__)
    flask_app.config.update(DEFAULT_CONFIG)
    flask_app.config.update(config or {})
    flask_app.json.sort_keys = False
    # Clients send both `/v2.1` and `/v2.1/`; a redirect would drop POST bodies.
    flask_app.url_map.strict_slashes = False
    api = StratusApi(flask_app)
    errors.init_app(flask_app)
    request_context.init_app(flask_app)
    microversion.init_app(flask_app)
    for blueprint in _blueprints():
        api.register_blueprint(blueprint)
    flask_app.register_blueprint(swagger_assets.blp)
    return flask_app
