"""A tiny policy: which rules need an admin. Authentication (a later
issue) will give real users; today every request is the default admin."""
from werkzeug.exceptions import Forbidden

from app.request_context import get_context

ADMIN_RULES = {
    "os_compute_api:os-flavor-manage:create",
    "os_compute_api:os-flavor-manage:delete",
    "os_compute_api:os-hypervisors:list",
    "os_compute_api:os-hypervisors:list-detail",
    "os_compute_api:os-hypervisors:show",
    "os_compute_api:os-services:list",
    # operator resources
    "os_compute_api:os-availability-zone:detail",
    "os_compute_api:os-quota-sets:update",
    "os_compute_api:os-quota-sets:delete",
    "os_compute_api:os-services:update",
    "os_compute_api:os-services:delete",
    "os_compute_api:limits:other_project",
    # server actions and instance actions
    "os_compute_api:os-admin-actions:reset_state",
    "os_compute_api:os-lock-server:unlock:unlock_override",
    "os_compute_api:os-instance-actions:events",
    "os_compute_api:os-instance-actions:events:details",
    "os_compute_api:servers:create:forced_host",
    "os_compute_api:servers:index:get_all_tenants",
}


def authorize(rule):
    """403 unless the current context may perform `rule`."""
    if rule in ADMIN_RULES and not get_context().is_admin:
        raise Forbidden(f"Policy doesn't allow {rule} to be performed.")


def is_admin():
    return get_context().is_admin


def authorize_owner(rule, user_id=None, project_id=None):
    """403 unless an admin, or the target's user/project is the context's
    (Nova's `user_id:%(user_id)s` and project-reader rules)."""
    ctxt = get_context()
    if ctxt.is_admin:
        return
    if (user_id is not None and user_id != ctxt.user_id) or \
            (project_id is not None and project_id != ctxt.project_id):
        raise Forbidden(f"Policy doesn't allow {rule} to be performed.")
