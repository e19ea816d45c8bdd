"""The conductor's endpoints for key pairs (a user's, named). One short
transaction per call, wire objects out."""
from stratus.conductor import convert
from stratus.conductor.db import keypairs
from stratus.conductor.db.session import transaction
from stratus.common.endpoint import endpoint


class KeyPairs:
    """Create, read and delete key pairs."""

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
