"""/v2.1/os-instance_usage_audit_log (admins): the state of the monthly
instance-usage audit on each compute host, as Nova reports it.

Stratus runs no usage audit (Nova's `[DEFAULT] instance_usage_audit` is
off by default too), so every compute host is reported as not run for the
last completed period, exactly what Nova answers with the audit off."""
import datetime

from flask.views import MethodView
from marshmallow import Schema, fields
from werkzeug.exceptions import BadRequest

from stratus.api import common, policy
from stratus.api.api import Blueprint
from stratus.api.request_context import get_context
from stratus.common.timeutils import utcnow
from stratus.common.vocabulary import ServiceBinary

blp = Blueprint("usage_audit_log", __name__, url_prefix="/v2.1",
                description="Instance usage audit log (admin)")

_RULE = "os_compute_api:os-instance-usage-audit-log:%s"
_SHOWN = "%Y-%m-%d %H:%M:%S"
LogsResponse = Schema.from_dict({"instance_usage_audit_logs": fields.Dict()},
                                name="InstanceUsageAuditLogsResponse")
LogResponse = Schema.from_dict({"instance_usage_audit_log": fields.Dict()},
                               name="InstanceUsageAuditLogResponse")


def _last_month(before):
    """Nova's default audit period: the last whole month before `before`."""
    end = before.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = (end - datetime.timedelta(days=1)).replace(day=1)
    return start, end


def _report(before):
    start, end = _last_month(before)
    hosts = sorted({s.host for s in common.conductor().service_get_all(
        get_context(), binary=ServiceBinary.COMPUTE)})
    return {"hosts_not_run": hosts, "log": {}, "num_hosts": len(hosts), "num_hosts_done": 0,
            "num_hosts_not_run": len(hosts), "num_hosts_running": 0,
            "overall_status": f"0 of {len(hosts)} hosts done. 0 errors.",
            "period_beginning": start.strftime(_SHOWN), "period_ending": end.strftime(_SHOWN),
            "total_errors": 0, "total_instances": 0}


@blp.route("/os-instance_usage_audit_log")
class UsageAuditLogs(MethodView):
    """The audit of the last completed period."""

    @blp.response(200, LogsResponse)
    def get(self):
        """Show the audit's state on every compute host."""
        policy.authorize(_RULE % "list")
        return {"instance_usage_audit_logs": _report(utcnow())}


@blp.route("/os-instance_usage_audit_log/<before_timestamp>")
class UsageAuditLog(MethodView):
    """The audit of the last period completed before a time."""

    @blp.response(200, LogResponse)
    def get(self, before_timestamp):
        """Show the audit of the period before `before_timestamp`
        ('YYYY-MM-DD HH:MM:SS[.ffffff]')."""
        policy.authorize(_RULE % "show")
        for form in ("%Y-%m-%d %H:%M:%S.%f", _SHOWN):
            try:
                before = datetime.datetime.strptime(before_timestamp, form)
                break
            except ValueError:
                continue
        else:
            raise BadRequest(f"Invalid timestamp for date {before_timestamp}")
        return {"instance_usage_audit_log": _report(before)}
