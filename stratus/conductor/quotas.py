"""The conductor's endpoints for quotas: a project's limits and usage.
One short transaction per call, plain data out."""
from stratus.conductor.db import quotas
from stratus.conductor.db.session import transaction
from stratus.common.endpoint import endpoint


class Quotas:
    """Quota limits (a project's, or the defaults) and usage."""

    @endpoint(since="1.1")
    def quota_get(self, ctxt, project_id, usages=False, user_id=None):
        """A project's limits; with `user_id` (1.7), that user's."""
        with transaction() as session:
            return _quota_view(session, project_id,
                               quotas.limits(session, project_id, user_id), usages, user_id)

    @endpoint(since="1.1")
    def quota_defaults(self, ctxt):
        with transaction() as session:
            return quotas.defaults(session)

    @endpoint(since="1.1")
    def quota_update(self, ctxt, project_id, values, force=False, user_id=None):
        """Set a project's limits; with `user_id` (1.7), that user's."""
        with transaction() as session:
            return quotas.update_limits(session, project_id, values, force, user_id)

    @endpoint(since="1.1")
    def quota_delete(self, ctxt, project_id, user_id=None):
        """Drop a project's own limits; with `user_id` (1.7), that user's."""
        with transaction() as session:
            quotas.delete_limits(session, project_id, user_id)


    @endpoint(since="1.7")
    def quota_class_get(self, ctxt, class_name):
        """A quota class's limits (config's where the class sets none)."""
        with transaction() as session:
            return quotas.class_limits(session, class_name)

    @endpoint(since="1.7")
    def quota_class_update(self, ctxt, class_name, values):
        """Set some of a quota class's limits (the `default` class's are
        every project's defaults)."""
        with transaction() as session:
            return quotas.update_class(session, class_name, values)


def _quota_view(session, project_id, limits, usages, user_id=None):
    """{resource: limit}, or {resource: {limit, in_use, reserved}} (Nova's
    detail; reservations no longer exist, so reserved is always 0)."""
    if not usages:
        return limits
    used = quotas.usages(session, project_id, user_id)
    return {name: {"limit": limit, "in_use": used[name], "reserved": 0}
            for name, limit in limits.items()}
