"""The conductor's endpoints for migrations (Nova's migration records:
one per move of a server), and the one transaction that commits a
server's move from host to host. One short transaction per call, wire
objects out."""
from stratus.conductor import convert
from stratus.conductor.db import hosts, instances, migration_records
from stratus.conductor.db.session import transaction
from stratus.common.endpoint import endpoint
from stratus.common.vocabulary import UNSET


class Migrations:
    """Migration records, and committing a move."""

    @endpoint(since="1.3")
    def migration_create(self, ctxt, values):
        with transaction() as session:
            values = dict(values, project_id=values.get("project_id") or ctxt.project_id,
                          user_id=values.get("user_id") or ctxt.user_id)
            return convert.migration(migration_records.migration_create(session, values))

    @endpoint(since="1.3")
    def migration_get(self, ctxt, migration_id):
        with transaction() as session:
            return convert.migration(migration_records.migration_get(session, migration_id))

    @endpoint(since="1.3")
    def migration_get_all(self, ctxt, filters, limit=None, marker=None):
        with transaction() as session:
            return [convert.migration(row)
                    for row in migration_records.migration_get_all(session, filters, limit, marker)]

    @endpoint(since="1.3")
    def migration_get_in_progress(self, ctxt, instance_uuid):
        with transaction() as session:
            row = migration_records.in_progress_for_instance(session, instance_uuid)
            return convert.migration(row) if row is not None else None

    @endpoint(since="1.3")
    def migration_update(self, ctxt, migration_id, values, expected_status=None):
        with transaction() as session:
            return convert.migration(migration_records.migration_update(
                session, migration_id, values, expected_status))

    @endpoint(since="1.3")
    def instance_move_commit(self, ctxt, instance_uuid, values, migration_id=None,
                             migration_values=None, release_node_id=None,
                             expected_task_state=UNSET, expected_vm_state=None,
                             source_claim=None):
        """In one transaction: save the instance (its new host, node,
        flavor, states), move its migration on, give back its claim on
        `release_node_id`, and settle the room a resize's migration holds
        on the source (`source_claim`: "release" on confirm, "restore" to
        the instance on a revert or a failure). A crash leaves either all
        of it or none."""
        with transaction() as session:
            row = instances.instance_update(session, instance_uuid, values,
                                            expected_task_state, expected_vm_state)
            migration = None
            if migration_id is not None:
                migration = migration_records.migration_update(session, migration_id,
                                                               migration_values or {})
            if release_node_id is not None:
                hosts.release(session, instance_uuid, release_node_id)
            if source_claim is not None:
                migration_records.settle_source_claim(session, migration, source_claim)
            return convert.instance(row)
