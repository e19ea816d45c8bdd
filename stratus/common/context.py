"""The request context that travels with every RPC message."""
import dataclasses
import uuid


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

    def to_dict(self):
        # dataclasses.asdict's dict, without its recursive deep copy (a
        # tenth of the time; every message carries one).
        return {"user_id": self.user_id, "project_id": self.project_id,
                "roles": list(self.roles), "request_id": self.request_id,
                "is_admin": self.is_admin, "task_id": self.task_id}

    @classmethod
    def from_dict(cls, data):
        return cls(**{k: v for k, v in data.items() if k in _FIELDS})

    def elevated(self):
        """A copy of this context with admin rights (for internal work)."""
        roles = sorted(set(self.roles) | {"admin"})
        return dataclasses.replace(self, roles=roles, is_admin=True)


_FIELDS = frozenset(f.name for f in dataclasses.fields(RequestContext))


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
