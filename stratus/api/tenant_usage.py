"""/v2.1/os-simple-tenant-usage: how many vCPU-, memory- and disk-hours
each project's servers ran in a period (Nova's simple usage: from launch
to termination, clipped to the period; deleted servers count for the
time they ran). Admins list every project; a project reads its own."""
import collections
import datetime

import flask
from flask.views import MethodView
from marshmallow import Schema, fields
from werkzeug.exceptions import BadRequest

from stratus.api import common, policy
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.common import PagingQuery
from stratus.api.schemas.fields import NovaBoolean
from stratus.common import exception
from stratus.common.timeutils import parse_isotime, utcnow

blp = Blueprint("tenant_usage", __name__, url_prefix="/v2.1",
                description="Usage of each project (simple tenant usage)")

_RULE = "os_compute_api:os-simple-tenant-usage:%s"
_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f")
UsagesResponse = Schema.from_dict({"tenant_usages": fields.List(fields.Dict()),
                                   "tenant_usages_links": fields.List(fields.Dict())},
                                  name="TenantUsagesResponse")
UsageResponse = Schema.from_dict({"tenant_usage": fields.Dict(),
                                  "tenant_usage_links": fields.List(fields.Dict())},
                                 name="TenantUsageResponse")


class UsageQuery(PagingQuery):
    start = fields.String()
    end = fields.String()
    detailed = NovaBoolean()


def _moment(args, key, default):
    """Nova's accepted times (naive UTC), 400 otherwise."""
    text = args.get(key)
    if not text:
        return default
    for form in _FORMATS:
        try:
            return datetime.datetime.strptime(text, form)
        except ValueError:
            continue
    try:
        return parse_isotime(text)
    except ValueError:
        raise BadRequest(f"Invalid {key} time: {text}.") from None


def _period(args):
    now = utcnow()
    start, end = _moment(args, "start", now), _moment(args, "end", now)
    if start > end:
        raise BadRequest("Invalid start time. The start time cannot occur after the end time.")
    return start, end


def _server_usage(instance, start, end, now):
    """The instance's usage in the period, or None if it did not run in it."""
    launched = parse_isotime(instance.launched_at)
    terminated = parse_isotime(instance.terminated_at)
    if launched is None or launched > end or (terminated is not None and terminated < start):
        return None
    ran_until = min(terminated or now, end)
    hours = max((ran_until - max(launched, start)).total_seconds(), 0) / 3600.0
    flavor = instance.flavor
    return {"instance_id": instance.uuid, "name": instance.display_name, "hours": hours,
            "memory_mb": flavor.memory_mb, "local_gb": flavor.root_gb + flavor.ephemeral_gb,
            "vcpus": flavor.vcpus, "tenant_id": instance.project_id, "flavor": flavor.name,
            "started_at": common.isotime_micro(launched),
            "ended_at": common.isotime_micro(terminated),
            "state": "terminated" if terminated or instance.deleted else instance.vm_state,
            "uptime": int(((terminated or now) - launched).total_seconds())}


def _usages(args, project_id=None):
    """{project: [server usage]} in the period, paged by server from 2.40."""
    start, end = _period(args)
    now = utcnow()
    filters = {"deleted": True}
    if project_id:
        filters["project_id"] = project_id
    instances = sorted(common.conductor().instance_get_all(get_context(), filters),
                       key=lambda i: (i.created_at or "", i.uuid))
    limit = None
    if is_supported("2.40"):
        limit = common.limit_from(args)
        instances = common.page(instances, limit, args.get("marker"), key=lambda i: i.uuid)
    by_project = collections.defaultdict(list)
    for instance in instances:
        usage = _server_usage(instance, start, end, now)
        if usage is not None:
            by_project[instance.project_id].append(usage)
    return by_project, start, end, instances, limit


def _summary(project_id, servers, start, end, detailed):
    summary = {"tenant_id": project_id, "start": common.isotime_micro(start),
               "stop": common.isotime_micro(end),
               "total_hours": sum(s["hours"] for s in servers),
               "total_local_gb_usage": sum(s["hours"] * s["local_gb"] for s in servers),
               "total_memory_mb_usage": sum(s["hours"] * s["memory_mb"] for s in servers),
               "total_vcpus_usage": sum(s["hours"] * s["vcpus"] for s in servers)}
    if detailed:
        summary["server_usages"] = servers
    return summary


def _links(body, key, collection, instances, limit):
    if limit is not None and instances and len(instances) == limit:
        body[f"{key}_links"] = [{"rel": "next", "href": common.compute_url(
            f"{collection}?limit={limit}&marker={instances[-1].uuid}")}]
    return body


@blp.route("/os-simple-tenant-usage")
class TenantUsages(MethodView):
    """Every project's usage."""

    @blp.arguments(UsageQuery, location="query")
    @blp.response(200, UsagesResponse)
    def get(self, args):
        """List each project's usage in a period (?start, ?end, ?detailed)."""
        if flask.request.path.endswith("/"):
            # A show with an empty project id (Nova's router answers 404),
            # not the list that the app's lenient slashes would make of it.
            raise exception.NotFound("The resource could not be found.")
        policy.authorize(_RULE % "list")
        by_project, start, end, instances, limit = _usages(args)
        usages = [_summary(project, servers, start, end, args.get("detailed"))
                  for project, servers in sorted(by_project.items())]
        return _links({"tenant_usages": usages}, "tenant_usages", "os-simple-tenant-usage",
                      instances, limit)


@blp.route("/os-simple-tenant-usage/<tenant_id>")
class TenantUsage(MethodView):
    """One project's usage."""

    @blp.arguments(UsageQuery, location="query")
    @blp.response(200, UsageResponse)
    def get(self, args, tenant_id):
        """Show a project's usage in a period, server by server."""
        policy.authorize(_RULE % "show", project_id=tenant_id)
        by_project, start, end, instances, limit = _usages(args, tenant_id)
        servers = by_project.get(tenant_id, [])
        usage = _summary(tenant_id, servers, start, end, True) if servers else {}
        return _links({"tenant_usage": usage}, "tenant_usage",
                      f"os-simple-tenant-usage/{tenant_id}", instances, limit)
