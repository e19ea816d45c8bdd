"""/v2.1/os-quota-sets: a project's limits (show, detail with usage,
defaults), set and reverted by admins; with ?user_id=, a user's limits
within the project (Nova's per-user quotas, none above the project's). Usage is counted by the conductor
from the records; the limits are enforced where instances and key pairs
are recorded, under the project's lock."""
from flask.views import MethodView

from stratus.api import common, policy
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.quotas import (FILTERED_V236, FILTERED_V257, RESOURCES, QuotaQuery,
                                        QuotaSetUpdateBody)
from stratus.api.schemas.responses import envelope
from stratus.common import exception

blp = Blueprint("quota_sets", __name__, url_prefix="/v2.1", description="Quota sets")

QuotaSetResponse = envelope("QuotaSetResponse", "quota_set")
_RULE = "os_compute_api:os-quota-sets:%s"


def shown_resources():
    """The resources this microversion carries (Nova drops the network
    proxy ones at 2.36 and file injection at 2.57)."""
    if is_supported("2.57"):
        hidden = FILTERED_V257
    elif is_supported("2.36"):
        hidden = FILTERED_V236
    else:
        hidden = ()
    return [name for name in RESOURCES if name not in hidden]


def quota_set(values, project_id=None):
    """{"quota_set": {id?, resource: value...}} in Nova's order."""
    body = {"id": str(project_id)} if project_id is not None else {}
    body.update({name: values[name] for name in shown_resources() if name in values})
    return {"quota_set": body}


@blp.route("/os-quota-sets/<project_id>")
class QuotaSet(MethodView):
    """A project's quota set."""

    @blp.arguments(QuotaQuery, location="query")
    @blp.response(200, QuotaSetResponse)
    def get(self, args, project_id):
        """Show a project's limits."""
        policy.authorize(_RULE % "show", project_id=project_id)
        return quota_set(common.conductor().quota_get(get_context(), project_id,
                                                      user_id=args.get("user_id")), project_id)

    @blp.arguments(QuotaQuery, location="query")
    @blp.arguments(QuotaSetUpdateBody)
    @blp.response(200, QuotaSetResponse)
    def put(self, args, body, project_id):
        """Set some of a project's limits (admin); none below current usage
        unless `force`."""
        policy.authorize(_RULE % "update")
        values = dict(body["quota_set"])
        force = values.pop("force", False)
        hidden = set(values) - set(shown_resources())
        if hidden:
            raise exception.Invalid("Invalid input for field/attribute quota_set: Additional "
                                    f"properties are not allowed ({', '.join(sorted(hidden))})")
        limits = common.conductor().quota_update(get_context(), project_id, values, force=force,
                                                 user_id=args.get("user_id"))
        return quota_set(limits)

    @blp.arguments(QuotaQuery, location="query")
    @blp.response(202)
    def delete(self, args, project_id):
        """Revert a project's limits to the defaults (admin)."""
        policy.authorize(_RULE % "delete")
        common.conductor().quota_delete(get_context(), project_id, user_id=args.get("user_id"))
        return ""


@blp.route("/os-quota-sets/<project_id>/detail")
class QuotaSetDetail(MethodView):
    """A project's limits with usage."""

    @blp.arguments(QuotaQuery, location="query")
    @blp.response(200, QuotaSetResponse)
    def get(self, args, project_id):
        """Show each limit with in_use and reserved (always 0)."""
        policy.authorize(_RULE % "detail", project_id=project_id)
        return quota_set(common.conductor().quota_get(get_context(), project_id, usages=True,
                                                      user_id=args.get("user_id")), project_id)


@blp.route("/os-quota-sets/<project_id>/defaults")
class QuotaSetDefaults(MethodView):
    """The default limits."""

    @blp.response(200, QuotaSetResponse)
    def get(self, project_id):
        """Show the defaults (from config) any project starts with."""
        policy.authorize(_RULE % "defaults")
        return quota_set(common.conductor().quota_defaults(get_context()), project_id)
