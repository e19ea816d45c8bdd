"""The conductor's endpoints for host aggregates (admin API). One short
transaction per call, wire objects out."""
from stratus.common.endpoint import endpoint
from stratus.conductor import convert
from stratus.conductor.db import aggregates
from stratus.conductor.db.session import transaction


def _out(session, row):
    return convert.aggregate(row, aggregates.hosts_of(session, row.id))


class Aggregates:
    """Host aggregates: CRUD, membership and metadata."""

    @endpoint(since="1.7")
    def aggregate_get_all(self, ctxt):
        with transaction() as session:
            return [_out(session, row) for row in aggregates.aggregate_get_all(session)]

    @endpoint(since="1.7")
    def aggregate_get(self, ctxt, aggregate_id):
        with transaction() as session:
            return _out(session, aggregates.aggregate_get(session, aggregate_id))

    @endpoint(since="1.7")
    def aggregate_create(self, ctxt, name, availability_zone=None):
        with transaction() as session:
            return _out(session, aggregates.aggregate_create(session, name, availability_zone))

    @endpoint(since="1.7")
    def aggregate_update(self, ctxt, aggregate_id, values):
        with transaction() as session:
            return _out(session, aggregates.aggregate_update(session, aggregate_id, values))

    @endpoint(since="1.7")
    def aggregate_set_metadata(self, ctxt, aggregate_id, metadata):
        with transaction() as session:
            return _out(session, aggregates.aggregate_set_metadata(session, aggregate_id,
                                                                   metadata))

    @endpoint(since="1.7")
    def aggregate_delete(self, ctxt, aggregate_id):
        with transaction() as session:
            aggregates.aggregate_delete(session, aggregate_id)

    @endpoint(since="1.7")
    def aggregate_add_host(self, ctxt, aggregate_id, host):
        with transaction() as session:
            return _out(session, aggregates.add_host(session, aggregate_id, host))

    @endpoint(since="1.7")
    def aggregate_remove_host(self, ctxt, aggregate_id, host):
        with transaction() as session:
            return _out(session, aggregates.remove_host(session, aggregate_id, host))
