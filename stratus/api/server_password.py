"""/v2.1/servers/{id}/os-server-password: the encrypted password a guest
posted for its admin user, as Nova's server_password API.

Nova keeps it in the instance's system_metadata in chunks `password_0` to
`password_3`; Stratus reads the same keys. Nothing writes them yet (no
metadata service), so a server's password is the empty string."""
from flask.views import MethodView
from marshmallow import Schema, fields

from stratus.api import common, compute_api, policy
from stratus.api.api import Blueprint
from stratus.api.request_context import get_context

blp = Blueprint("server_password", __name__, url_prefix="/v2.1",
                description="Server password")

# Nova's nova.api.metadata.password: the chunk keys' prefix.
PASSWORD_KEY_PREFIX = "password_"

PasswordResponse = Schema.from_dict({"password": fields.String()}, name="PasswordResponse")


def _server(server_id, action):
    """(context, server) if the server is visible (else 404) and the
    rule allows `action` on it."""
    ctxt = get_context()
    instance = compute_api.get(ctxt, server_id)
    policy.authorize(f"os_compute_api:os-server-password:{action}",
                     project_id=instance.project_id)
    return ctxt, instance


def extract(system_metadata):
    """The stored password: its chunks joined in key order ('' if none)."""
    chunks = {k: v for k, v in (system_metadata or {}).items()
              if k.startswith(PASSWORD_KEY_PREFIX)}
    return "".join(chunks[k] or "" for k in sorted(chunks))


def cleared(system_metadata):
    """system_metadata without the password's chunks."""
    return {k: v for k, v in (system_metadata or {}).items()
            if not k.startswith(PASSWORD_KEY_PREFIX)}


@blp.route("/servers/<server_id>/os-server-password")
class ServerPassword(MethodView):
    """A server's encrypted admin password."""

    @blp.response(200, PasswordResponse)
    def get(self, server_id):
        """Show the encrypted password ('' when there is none)."""
        _ctxt, instance = _server(server_id, "show")
        return {"password": extract(instance.system_metadata)}

    @blp.response(204)
    def delete(self, server_id):
        """Forget the stored password (the guest's own is not changed).
        The save expects the task_state seen: a task moving on meanwhile
        may have rewritten system_metadata (409 then, not a lost key)."""
        ctxt, instance = _server(server_id, "clear")
        if extract(instance.system_metadata):
            common.conductor().instance_update(
                ctxt, instance.uuid, {"system_metadata": cleared(instance.system_metadata)},
                expected_task_state=[instance.task_state])
        return ""
