"""The consoleauth manager: console tokens with a time to live, bound to
one instance's VNC host and port. It keeps them through the conductor
(it never opens the database) and sees only their hashes."""
import datetime
import logging

from stratus.config import get_settings
from stratus.conductor import rpcapi as conductor_rpcapi
from stratus.common.timeutils import utcnow
from stratus.common.endpoint import endpoint

LOG = logging.getLogger(__name__)


class ConsoleAuthManager:
    """Authorize, check and purge console tokens."""

    def __init__(self, conductor_api=None):
        self.conductor_api = conductor_api or conductor_rpcapi.ConductorAPI()

    @endpoint(since="1.0")
    def authorize_console(self, ctxt, token_hash, instance_uuid, host, port, console_type,
                          internal_access_path=None):
        ttl = get_settings().console_token_ttl
        expires = utcnow() + datetime.timedelta(seconds=ttl)
        self.conductor_api.console_auth_token_create(ctxt, {
            "token_hash": token_hash, "instance_uuid": instance_uuid, "host": host,
            "port": int(port), "console_type": console_type,
            "internal_access_path": internal_access_path, "expires": expires.isoformat()})
        LOG.info("Console %s of instance %s authorized for %ss", console_type, instance_uuid,
                 ttl)

    @endpoint(since="1.0")
    def check_token(self, ctxt, token_hash):
        info = self.conductor_api.console_auth_token_get_valid(ctxt, token_hash)
        if info is None:
            LOG.info("Refused a console token: unknown, expired or purged")
        return info

    @endpoint(since="1.0")
    def delete_tokens_for_instance(self, ctxt, instance_uuid):
        return self.conductor_api.console_auth_token_destroy_all_by_instance(ctxt, instance_uuid)
