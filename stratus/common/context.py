"""The request context that travels with every RPC message."""
import dataclasses
import uuid
from typing import Callable


def new_request_id():
    return f"req-{uuid.uuid4()}"


@dataclasses.dataclass
class RequestContext:
    """Who asked, in which project, under which request id."""

    user_id: str
    project_id: str
    roles: list = dataclasses.field(default_factory=list)
    request_id: str = dataclasses.field(default_factory=new_request_id)
    is_admin: bool = False
    # The Celery task id running this request, if any; lets events link to Flower.
    task_id: str | None = None
    # The id of a token not yet checked against the revocation list (the
    # api defers that check, see stratus.api.identity.auth): the request's
    # first call to a conductor that checks it (RPC 1.13) carries it and
    # is refused, run or not, as the token is. Sent only while set.
    token_check: str | None = None
    # The check itself, done by the sender when the next message cannot
    # carry it (a cast, another role, a capped conductor); never sent.
    check_token: Callable[[str], None] | None = dataclasses.field(
        default=None, repr=False, compare=False, metadata={"local": True})
    # Whether the broker handed out the message this context came with
    # before (a worker died holding it, a connection dropped); never sent.
    redelivered: bool = dataclasses.field(
        default=False, repr=False, compare=False, metadata={"local": True})

    def to_dict(self):
        # dataclasses.asdict's dict, without its recursive deep copy (a
        # tenth of the time; every message carries one).
        data = {"user_id": self.user_id, "project_id": self.project_id,
                "roles": list(self.roles), "request_id": self.request_id,
                "is_admin": self.is_admin, "task_id": self.task_id}
        if self.token_check:
            data["token_check"] = self.token_check
        return data

    def settle_token(self):
        """Check the deferred token now, if it is still unchecked
        (NotAuthenticated when it was revoked); unchecked still if the
        check itself failed."""
        token = self.token_check
        if token:
            self.token_check = None  # the check's own message is not to carry it
            try:
                self.check_token(token)
            except Exception:
                self.token_check = token
                raise

    @classmethod
    def from_dict(cls, data):
        return cls(**{k: v for k, v in data.items() if k in _FIELDS})

    def elevated(self):
        """A copy of this context with admin rights (for internal work)."""
        roles = sorted(set(self.roles) | {"admin"})
        return dataclasses.replace(self, roles=roles, is_admin=True)


_FIELDS = frozenset(f.name for f in dataclasses.fields(RequestContext)
                    if not f.metadata.get("local"))


def get_admin_context(request_id=None):
    """A context for a service acting on its own behalf."""
    return RequestContext(user_id="stratus", project_id="service", roles=["admin"],
                          request_id=request_id or new_request_id(), is_admin=True)


# Keystone's default roles after bootstrap. In the chain each implies the
# ones after it (admin > manager > member > reader), as Keystone's implied
# roles, so a context's role list always holds the implied roles too; the
# `service` role (what services such as Neutron act with) implies none.
CHAIN = ("admin", "manager", "member", "reader")
SERVICE = "service"
ROLES = (*CHAIN, SERVICE)


def implied_roles(names):
    """`names` with every role they imply, strongest first."""
    granted = [CHAIN.index(name) for name in names if name in CHAIN]
    implied = list(CHAIN[min(granted):]) if granted else []
    return implied + ([SERVICE] if SERVICE in names else [])
