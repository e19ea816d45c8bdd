"""Version discovery, without authentication: GET /, /v2 and /v2.1.

As Nova's (nova/api/openstack/compute/versions.py): the root lists the
legacy v2.0 (SUPPORTED, no microversions, self link `/v2/`) and v2.1
(CURRENT, the microversion range), and each one's self link answers its
document; only v2.1's routes are served. Clients
read the self link to learn where the API lives; without it OSC and the
SDK silently send no microversion."""
import copy

from flask.views import MethodView
from marshmallow import Schema, fields

from stratus.api import common
from stratus.api.api import Blueprint
from stratus.api.microversion import MAX_VERSION, MIN_VERSION, to_string

blp = Blueprint("versions", __name__, description="API version discovery")

VersionsResponse = Schema.from_dict({"versions": fields.List(fields.Dict())},
                                    name="VersionsResponse")
VersionResponse = Schema.from_dict({"version": fields.Dict()}, name="VersionResponse")

_DOCS = {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}
_MEDIA_TYPE = "application/vnd.openstack.compute+json;version="

# Nova's VERSIONS, by id; `path` is where each one's self link points.
VERSIONS = {
    "v2.0": {"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "",
             "updated": "2011-01-21T11:33:21Z", "links": [_DOCS],
             "media-types": [{"base": "application/json", "type": _MEDIA_TYPE + "2"}]},
    "v2.1": {"id": "v2.1", "status": "CURRENT", "version": to_string(MAX_VERSION),
             "min_version": to_string(MIN_VERSION), "updated": "2013-07-23T11:33:21Z",
             "links": [_DOCS],
             "media-types": [{"base": "application/json", "type": _MEDIA_TYPE + "2.1"}]},
}
_PATHS = {"v2.0": "v2", "v2.1": "v2.1"}


def _self_link(version_id):
    return {"rel": "self", "href": f"{common.base_url()}/{_PATHS[version_id]}/"}


def listed(version_id):
    """A version as the root lists it: its self link only, no media types."""
    version = VERSIONS[version_id]
    entry = {key: version[key] for key in ("id", "status", "version", "min_version", "updated")}
    return {**entry, "links": [_self_link(version_id)]}


def shown(version_id):
    """A version's own document: the self link first, then its other links."""
    version = copy.deepcopy(VERSIONS[version_id])
    version["links"].insert(0, _self_link(version_id))
    return version


@blp.route("/")
class Versions(MethodView):
    """API versions."""

    @blp.response(200, VersionsResponse)
    def get(self):
        """List the API versions: v2.0 (legacy, not served) and v2.1."""
        return {"versions": [listed(version_id) for version_id in sorted(VERSIONS)]}


@blp.route("/v2")
class LegacyVersion(MethodView):
    """The legacy v2.0 API (its document only)."""

    @blp.response(200, VersionResponse)
    def get(self):
        """Show v2.0 (no microversions)."""
        return {"version": shown("v2.0")}


@blp.route("/v2.1")
class Version(MethodView):
    """The v2.1 API."""

    @blp.response(200, VersionResponse)
    def get(self):
        """Show v2.1 with its microversion range."""
        return {"version": shown("v2.1")}
