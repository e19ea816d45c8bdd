"""/v2.1/limits: the project's absolute limits and what it uses (Nova's
view; no rate limits, so `rate` is empty)."""
from flask.views import MethodView
from marshmallow import EXCLUDE, Schema, fields

from stratus.api import common, policy
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.quotas import FILTERED_V236, FILTERED_V257
from stratus.api.schemas.responses import envelope

blp = Blueprint("limits", __name__, url_prefix="/v2.1", description="Limits")

LimitsResponse = envelope("LimitsResponse", "limits")

# Nova's names for each quota resource, and for its usage.
LIMIT_NAMES = {"ram": ["maxTotalRAMSize"], "instances": ["maxTotalInstances"],
               "cores": ["maxTotalCores"], "key_pairs": ["maxTotalKeypairs"],
               "floating_ips": ["maxTotalFloatingIps"],
               "metadata_items": ["maxServerMeta", "maxImageMeta"],
               "injected_files": ["maxPersonality"],
               "injected_file_content_bytes": ["maxPersonalitySize"],
               "security_groups": ["maxSecurityGroups"],
               "security_group_rules": ["maxSecurityGroupRules"],
               "server_groups": ["maxServerGroups"],
               "server_group_members": ["maxServerGroupMembers"]}
USED_NAMES = {"totalRAMUsed": "ram", "totalCoresUsed": "cores",
              "totalInstancesUsed": "instances", "totalFloatingIpsUsed": "floating_ips",
              "totalSecurityGroupsUsed": "security_groups",
              "totalServerGroupsUsed": "server_groups"}


class LimitsQuery(Schema):
    """?tenant_id= (admins): another project's limits."""

    class Meta:
        unknown = EXCLUDE

    tenant_id = fields.String()


def _hidden():
    if is_supported("2.57"):
        return FILTERED_V257
    return FILTERED_V236 if is_supported("2.36") else ()


def absolute(quotas):
    """maxX for each limit and totalXUsed for each counted resource."""
    hidden = _hidden()
    body = {}
    for resource, names in LIMIT_NAMES.items():
        if resource in quotas and resource not in hidden:
            for name in names:
                # maxImageMeta went with the image proxy API (2.39).
                if name != "maxImageMeta" or not is_supported("2.39"):
                    body[name] = quotas[resource]["limit"]
    for name, resource in USED_NAMES.items():
        if resource in quotas and resource not in hidden:
            body[name] = quotas[resource]["in_use"]
    return body


@blp.route("/limits")
class Limits(MethodView):
    """Limits."""

    @blp.arguments(LimitsQuery, location="query")
    @blp.response(200, LimitsResponse)
    def get(self, args):
        """Show the absolute limits and usage of the project (or, for
        admins, of `tenant_id`)."""
        policy.authorize("os_compute_api:limits")
        ctxt = get_context()
        project_id = ctxt.project_id
        if "tenant_id" in args:
            policy.authorize("os_compute_api:limits:other_project")
            project_id = args["tenant_id"]
        quotas = common.conductor().quota_get(ctxt, project_id, usages=True)
        return {"limits": {"rate": [], "absolute": absolute(quotas)}}
