"""Identity version discovery, without a token: GET /identity (Keystone
answers 300 with the one version it speaks) and GET /identity/v3.
keystoneauth reads the v3 self link to find the token API."""
from flask.views import MethodView
from marshmallow import Schema, fields

from stratus.api import common
from stratus.api.api import Blueprint

blp = Blueprint("identity_versions", __name__, url_prefix="/identity",
                description="Identity API version discovery")

IdentityVersions = Schema.from_dict({"versions": fields.Dict()}, name="IdentityVersions")
IdentityVersion = Schema.from_dict({"version": fields.Dict()}, name="IdentityVersion")


def version_v3():
    return {"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": f"{common.base_url()}/identity/v3/"}],
            "media-types": [{"base": "application/json",
                             "type": "application/vnd.openstack.identity-v3+json"}]}


@blp.route("")
class Versions(MethodView):
    """Identity API versions."""

    @blp.response(300, IdentityVersions)
    def get(self):
        """List the identity API versions (v3 only)."""
        return {"versions": {"values": [version_v3()]}}


@blp.route("/v3")
class Version(MethodView):
    """The v3 API."""

    @blp.response(200, IdentityVersion)
    def get(self):
        """Show the v3 API."""
        return {"version": version_v3()}
