"""Network API discovery: GET /network (the versions: v2.0 only), GET
/network/v2.0 (its resources) and the extensions, which clients probe
before using an attribute (openstacksdk's find_extension asks
/extensions/{alias}, then the list). Only what is true is listed."""
from flask.views import MethodView
from marshmallow import Schema, fields
from werkzeug.exceptions import NotFound

from stratus.api import common
from stratus.api.api import Blueprint

blp = Blueprint("neutron_versions", __name__, url_prefix="/network",
                description="Network API discovery and extensions")

Versions = Schema.from_dict({"versions": fields.List(fields.Dict())}, name="NetworkVersions")
Resources = Schema.from_dict({"resources": fields.List(fields.Dict())}, name="NetworkResources")
ExtensionsReply = Schema.from_dict({"extensions": fields.List(fields.Dict())},
                                   name="NetworkExtensions")
ExtensionReply = Schema.from_dict({"extension": fields.Dict()}, name="NetworkExtension")

RESOURCES = (("network", "networks"), ("subnet", "subnets"), ("port", "ports"),
             ("security_group", "security-groups"),
             ("security_group_rule", "security-group-rules"))
# (alias, name, description): the extensions whose attributes and
# resources this API has.
EXTENSIONS = (
    ("security-group", "security-group",
     "The security groups extension: security groups and their rules."),
    ("binding", "Port Binding", "Expose port bindings of a virtual port to external application"),
    ("external-net", "Neutron external network",
     "Adds external network attribute to network resource."),
    ("standard-attr-description", "standard-attr-description",
     "Extension to add descriptions to standard attributes"),
    ("project-id", "project_id field enabled",
     "Extension that indicates that project_id field is enabled."),
)


def v2_url(*parts):
    return "/".join([common.base_url(), "network", "v2.0", *parts])


def extension_view(alias, name, description):
    return {"alias": alias, "name": name, "description": description,
            "updated": "2013-01-01T10:00:00-00:00", "links": []}


@blp.route("")
class NetworkVersions(MethodView):
    """Network API versions."""

    @blp.response(200, Versions)
    def get(self):
        """List the network API versions (v2.0 only)."""
        return {"versions": [{"id": "v2.0", "status": "CURRENT",
                              "links": [{"rel": "self", "href": v2_url() + "/"}]}]}


@blp.route("/v2.0")
class NetworkResources(MethodView):
    """The v2.0 API."""

    @blp.response(200, Resources)
    def get(self):
        """List the v2.0 API's resources."""
        return {"resources": [{"name": name, "collection": collection.replace("-", "_"),
                               "links": [{"rel": "self", "href": v2_url(collection)}]}
                              for name, collection in RESOURCES]}


@blp.route("/v2.0/extensions")
class Extensions(MethodView):
    """Extensions."""

    @blp.response(200, ExtensionsReply)
    def get(self):
        """List the extensions this API has."""
        return {"extensions": [extension_view(*extension) for extension in EXTENSIONS]}


@blp.route("/v2.0/extensions/<alias>")
class Extension(MethodView):
    """An extension."""

    @blp.response(200, ExtensionReply)
    def get(self, alias):
        """Show an extension (404 for one this API lacks)."""
        for extension in EXTENSIONS:
            if extension[0] == alias:
                return {"extension": extension_view(*extension)}
        raise NotFound(f"Extension with alias {alias} does not exist")
