"""Client side of consoleauth: the API stores console tokens with it,
the noVNC proxy checks them, the conductor's orchestrations purge them.

Only the SHA-256 of a token travels or is kept: the token itself is in
the console URL given to the user and nowhere else (not in a broker
message, a worker log, Flower or the database).

API version history:
    1.0 - authorize_console, check_token, delete_tokens_for_instance.
"""
import hashlib

from stratus.config import get_settings
from stratus.common.rpc import RPCClient

RPC_VERSION = "1.0"


def hash_token(token):
    """What is sent and stored in place of a console token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ConsoleAuthAPI:
    """Calls to the `consoleauth` queue."""

    def __init__(self):
        self.client = RPCClient("consoleauth", RPC_VERSION,
                                version_cap=get_settings().consoleauth_rpc_version_cap)

    def _client(self, version):
        """The client at `version` (VersionCapExceeded above the cap)."""
        return self.client.prepare(version=version)

    def authorize_console(self, ctxt, token_hash, instance_uuid, host, port, console_type,
                          internal_access_path=None):
        """Accept the token of this hash, for the console_token_ttl, as a
        key to the VNC server at host:port of the instance."""
        return self._client("1.0").call(ctxt, "authorize_console", token_hash=token_hash,
                                        instance_uuid=instance_uuid, host=host, port=port,
                                        console_type=console_type,
                                        internal_access_path=internal_access_path)

    def check_token(self, ctxt, token_hash):
        """The connection info of a live token ({instance_uuid, host, port,
        console_type, internal_access_path, expires}); None for an expired,
        unknown or purged one."""
        return self._client("1.0").call(ctxt, "check_token", token_hash=token_hash)

    def delete_tokens_for_instance(self, ctxt, instance_uuid):
        """Forget every token of an instance (it moved or was deleted);
        returns how many there were."""
        return self._client("1.0").call(ctxt, "delete_tokens_for_instance",
                                        instance_uuid=instance_uuid)
