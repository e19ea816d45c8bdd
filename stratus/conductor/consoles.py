"""The conductor's side of console tokens: the consoleauth role keeps its
tokens through these endpoints (one short transaction per call, plain
data out)."""
from stratus.conductor.db import consoles
from stratus.conductor.db.session import transaction
from stratus.common.endpoint import endpoint

# What a token grants, as check_token hands it to the proxy.
_CONNECT_INFO = ("instance_uuid", "host", "port", "console_type", "internal_access_path")


class ConsoleAuthTokens:
    """Store, look up and purge console auth tokens."""

    @endpoint(since="1.2")
    def console_auth_token_create(self, ctxt, values):
        with transaction() as session:
            consoles.token_create(session, values)

    @endpoint(since="1.2")
    def console_auth_token_get_valid(self, ctxt, token_hash):
        with transaction() as session:
            row = consoles.token_get_valid(session, token_hash)
            if row is None:
                return None
            info = {name: getattr(row, name) for name in _CONNECT_INFO}
            return dict(info, expires=row.expires.isoformat())

    @endpoint(since="1.2")
    def console_auth_token_destroy_all_by_instance(self, ctxt, instance_uuid):
        with transaction() as session:
            return consoles.destroy_all_by_instance(session, instance_uuid)
