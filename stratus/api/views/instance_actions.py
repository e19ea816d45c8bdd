"""Nova's os-instance-actions views, plus each event's Celery `task_id`
(for admins: the task to look up in Flower)."""
import hashlib

from stratus.api import common, policy
from stratus.api.microversion import is_supported

_RULE = "os_compute_api:os-instance-actions:%s"
_ACTION_KEYS = ("action", "instance_uuid", "request_id", "user_id", "project_id", "message")


def action(item):
    """An action without its events; updated_at from 2.58."""
    view = {key: getattr(item, key) for key in _ACTION_KEYS}
    view["start_time"] = common.isotime_micro(item.start_time)
    if is_supported("2.58"):
        view["updated_at"] = common.isotime_micro(item.updated_at)
    return view


def action_with_events(item, instance):
    """Events for admins at every microversion, for the owner from 2.51;
    traceback, host and task_id for admins; hostId for all from 2.62;
    details for admins from 2.84."""
    view = action(item)
    project_id = item.project_id or instance.project_id
    events = policy.check(_RULE % "events", project_id)
    if events or is_supported("2.51"):
        details = policy.check(_RULE % "events:details", project_id)
        view["events"] = [_event(e, project_id, events, details) for e in item.events]
    return view


def _event(item, project_id, admin, details):
    """`admin`: the events rule (traceback, host, task id); `details`: its
    events:details rule (the error's message, 2.84)."""
    view = {"event": item.event, "start_time": common.isotime_micro(item.start_time),
            "finish_time": common.isotime_micro(item.finish_time), "result": item.result}
    if admin:
        view["traceback"] = item.traceback
        if is_supported("2.62"):
            view["host"] = item.host
    if is_supported("2.62"):
        view["hostId"] = _host_id(item.host, project_id)
    if details and is_supported("2.84"):
        view["details"] = item.details
    if admin:
        view["task_id"] = item.task_id
    return view


def _host_id(host, project_id):
    """Nova's generate_hostid: sha224(project_id + host), "" without a host."""
    if not host:
        return ""
    return hashlib.sha224((str(project_id) + host).encode()).hexdigest()
