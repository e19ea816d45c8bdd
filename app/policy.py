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
    "os_compute_api:servers:create:forced_host",
    "os_compute_api:servers:index:get_all_tenants",
}


def authorize(rule):
    """403 unless the current context may perform `rule`."""
    if rule in ADMIN_RULES and not get_context().is_admin:
        raise Forbidden(f"Policy doesn't allow {rule} to be performed.")


def is_admin():
    return get_context().is_admin
