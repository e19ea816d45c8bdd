"""The conductor's endpoints for quotas: a project's limits and usage.
One short transaction per call, plain data out."""
from stratus.conductor.db import quotas
from stratus.conductor.db.session import transaction
from stratus.common.endpoint import endpoint


class Quotas:
    """Quota limits (a project's, or the defaults) and usage."""

    @endpoint(since="1.1")
    def quota_get(self, ctxt, project_id, usages=False):
        with transaction() as session:
            return _quota_view(session, project_id, quotas.limits(session, project_id), usages)

    @endpoint(since="1.1")
    def quota_defaults(self, ctxt):
        return quotas.defaults()

    @endpoint(since="1.1")
    def quota_update(self, ctxt, project_id, values, force=False):
        with transaction() as session:
            return quotas.update_limits(session, project_id, values, force)

    @endpoint(since="1.1")
    def quota_delete(self, ctxt, project_id):
        with transaction() as session:
            quotas.delete_limits(session, project_id)


def _quota_view(session, project_id, limits, usages):
    """{resource: limit}, or {resource: {limit, in_use, reserved}} (Nova's
    detail; reservations no longer exist, so reserved is always 0)."""
    if not usages:
        return limits
    used = quotas.usages(session, project_id)
    return {name: {"limit": limit, "in_use": used[name], "reserved": 0}
            for name, limit in limits.items()}
