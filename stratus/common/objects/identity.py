"""Wire objects of the identity service: users and projects, as Keystone
shows them (one domain, `default`)."""
import dataclasses

from stratus.common.objects.base import StratusObject, register

DEFAULT_DOMAIN = {"id": "default", "name": "Default"}


@register
@dataclasses.dataclass
class User(StratusObject):
    """A user; the password hash never leaves the conductor.

    1.1: email and description."""

    VERSION = "1.1"

    id: str
    name: str
    domain_id: str = "default"
    enabled: bool = True
    default_project_id: str | None = None
    email: str | None = None
    description: str | None = None


@register
@dataclasses.dataclass
class Project(StratusObject):
    """A project (a tenant): what servers, quotas and key pairs belong to."""

    id: str
    name: str
    domain_id: str = "default"
    enabled: bool = True
    description: str | None = None
