"""Version discovery, without authentication: GET / and GET /v2.1.

Clients read the self link to learn where the API lives; without it OSC
and the SDK silently send no microversion."""
from flask.views import MethodView
from marshmallow import Schema, fields

from stratus.api import common
from stratus.api.api import Blueprint
from stratus.api.microversion import MAX_VERSION, MIN_VERSION, to_string

blp = Blueprint("versions", __name__, description="API version discovery")

VersionsResponse = Schema.from_dict({"versions": fields.List(fields.Dict())},
                                    name="VersionsResponse")
VersionResponse = Schema.from_dict({"version": fields.Dict()}, name="VersionResponse")


def version_v21(full=False):
    """The v2.1 version entry; the single-version document adds more links."""
    view = {"id": "v2.1", "status": "CURRENT", "version": to_string(MAX_VERSION),
            "min_version": to_string(MIN_VERSION), "updated": "2013-07-23T11:33:21Z",
            "links": [{"rel": "self", "href": f"{common.base_url()}/v2.1/"}]}
    if full:
        view["links"].append({"rel": "describedby", "type": "text/html",
                              "href": "https://docs.openstack.org/"})
        view["media-types"] = [{"base": "application/json",
                                "type": "application/vnd.openstack.compute+json;version=2.1"}]
    return view


@blp.route("/")
class Versions(MethodView):
    """API versions."""

    @blp.response(200, VersionsResponse)
    def get(self):
        """List the API versions."""
        return {"versions": [version_v21()]}


@blp.route("/v2.1")
class Version(MethodView):
    """The v2.1 API."""

    @blp.response(200, VersionResponse)
    def get(self):
        """Show v2.1 with its microversion range."""
        return {"version": version_v21(full=True)}
