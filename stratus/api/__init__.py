"""The api role: a Flask app that speaks the Nova compute API v2.1 (and
Glance-v2-, Keystone-v3- and Neutron-v2.0-shaped subsets) so that
unchanged OpenStack clients work.

It imports only the rpcapi stubs, the wire objects, the context, the
exceptions and config: every piece of data comes through conductor calls."""
from flask import Flask

from stratus.api import errors, microversion, request_context, swagger_assets
from stratus.api.api import StratusApi

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
    from stratus.api import (aggregates, availability_zones, certificates, extensions,
                             external_events, flavor_access, flavor_extra_specs, flavors,
                             hosts, hypervisors, image_metadata, images, instance_actions, ips,
                             keypairs, limits, migrations, networks, nova_images, quota_classes,
                             quota_sets,
                             remote_consoles, security_groups, server_actions, server_groups,
                             server_metadata,
                             server_diagnostics, server_password, server_tags, servers, services,
                             tenant_usage, usage_audit_log, versions)
    from stratus.api.identity import auth_tokens, domains_roles, grants, projects, users
    from stratus.api.identity import versions as identity_versions
    from stratus.api.neutron import networks as neutron_networks, ports as neutron_ports
    from stratus.api.neutron import security_groups as neutron_security_groups
    from stratus.api.neutron import versions as neutron_versions

    return [
        # discovery and identity (the Keystone v3 subset)
        versions.blp, identity_versions.blp, auth_tokens.blp, domains_roles.blp, projects.blp,
        users.blp, grants.blp, extensions.blp,
        # servers and what acts on them
        servers.blp, server_actions.blp, server_metadata.blp, instance_actions.blp,
        remote_consoles.blp, server_groups.blp, migrations.blp, ips.blp,
        server_password.blp, server_tags.blp, server_diagnostics.blp,
        # catalog
        flavors.blp, flavor_extra_specs.blp, flavor_access.blp, images.blp, nova_images.blp,
        image_metadata.blp, networks.blp, security_groups.blp,
        # operator resources
        hypervisors.blp, services.blp, keypairs.blp, availability_zones.blp, limits.blp,
        quota_sets.blp, quota_classes.blp, certificates.blp, tenant_usage.blp,
        usage_audit_log.blp, external_events.blp, aggregates.blp, hosts.blp,
        # the network service (the Neutron v2.0 subset)
        neutron_versions.blp, neutron_networks.blp, neutron_ports.blp,
        neutron_security_groups.blp,
    ]


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
    request_context.init_last(flask_app)
    for blueprint in _blueprints():
        api.register_blueprint(blueprint)
    flask_app.register_blueprint(swagger_assets.blp)
    return flask_app
