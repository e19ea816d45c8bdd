"""The conductor's endpoints for operator resources: key pairs, quotas
and service updates. A mixin of ConductorManager, kept apart so that the
manager stays about instances and hosts; same rules: one short
transaction per call, wire objects out."""
from stratus.conductor import convert
from stratus.conductor.db import hosts, keypairs, quotas
from stratus.conductor.db.session import transaction
from stratus.common.endpoint import endpoint


class OperatorManager:
    """Key pairs, quota limits and usage, service updates."""

    # key pairs
    @endpoint(since="1.1")
    def keypair_create(self, ctxt, values):
        with transaction() as session:
            return convert.keypair(keypairs.keypair_create(session, ctxt.project_id, values))

    @endpoint(since="1.1")
    def keypair_get(self, ctxt, user_id, name):
        with transaction() as session:
            return convert.keypair(keypairs.keypair_get(session, user_id, name))

    @endpoint(since="1.1")
    def keypair_get_all(self, ctxt, user_id, limit=None, marker=None):
        with transaction() as session:
            return [convert.keypair(row)
                    for row in keypairs.keypair_get_all(session, user_id, limit, marker)]

    @endpoint(since="1.1")
    def keypair_delete(self, ctxt, user_id, name):
        with transaction() as session:
            keypairs.keypair_destroy(session, user_id, name)

    # quotas
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

    # services
    @endpoint(since="1.1")
    def service_save(self, ctxt, service_id, values):
        with transaction() as session:
            return convert.service(hosts.service_save(session, service_id, values))

    @endpoint(since="1.1")
    def service_delete(self, ctxt, service_id):
        with transaction() as session:
            hosts.service_destroy(session, service_id)


def _quota_view(session, project_id, limits, usages):
    """{resource: limit}, or {resource: {limit, in_use, reserved}} (Nova's
    detail; reservations no longer exist, so reserved is always 0)."""
    if not usages:
        return limits
    used = quotas.usages(session, project_id)
    return {name: {"limit": limit, "in_use": used[name], "reserved": 0}
            for name, limit in limits.items()}
