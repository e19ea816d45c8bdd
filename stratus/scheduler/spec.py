"""The request spec as the filters and weighers read it."""
import dataclasses

from stratus.common.objects import Flavor, Image
from stratus.scheduler.host_state import Resources


def _obj(cls, value):
    # Callers inside a process may hand over plain dicts rather than objects.
    return cls.from_dict(value) if isinstance(value, dict) else value


@dataclasses.dataclass
class GroupSpec:
    """The server group of a request: its policy, rules, and how many of
    its other members each host holds (filled in by the conductor right
    before scheduling)."""

    uuid: str
    policy: str
    rules: dict = dataclasses.field(default_factory=dict)
    hosts: dict = dataclasses.field(default_factory=dict)

    @classmethod
    def from_dict(cls, data):
        return cls(uuid=data["uuid"], policy=data["policy"], rules=dict(data.get("rules") or {}),
                   hosts=dict(data.get("hosts") or {}))

    @property
    def max_server_per_host(self):
        return int(self.rules.get("max_server_per_host", 1))

    def members_on(self, host):
        return self.hosts.get(host, 0)

    def add_member_on(self, host):
        """A member of this request was just placed on `host`."""
        self.hosts[host] = self.members_on(host) + 1


@dataclasses.dataclass
class RequestSpec:
    """One scheduling request: what to place and where it may go."""

    flavor: Flavor
    resources: Resources
    image: Image | None = None
    availability_zone: str | None = None
    project_id: str | None = None
    user_id: str | None = None
    ignore_hosts: list = dataclasses.field(default_factory=list)
    force_hosts: list = dataclasses.field(default_factory=list)
    # The hosts of the servers named by the same_host / different_host
    # hints (None: no same_host hint).
    same_host: list | None = None
    different_host: list = dataclasses.field(default_factory=list)
    num_instances: int = 1
    group: GroupSpec | None = None

    @classmethod
    def from_dict(cls, data):
        flavor = _obj(Flavor, data["flavor"])
        image = data.get("image")
        return cls(flavor=flavor, resources=Resources.from_flavor(flavor),
                   image=_obj(Image, image) if image else None,
                   availability_zone=data.get("availability_zone") or None,
                   project_id=data.get("project_id"), user_id=data.get("user_id"),
                   ignore_hosts=list(data.get("ignore_hosts") or []),
                   force_hosts=list(data.get("force_hosts") or []),
                   same_host=(list(data["same_host"]) if data.get("same_host") is not None
                              else None),
                   different_host=list(data.get("different_host") or []),
                   num_instances=data.get("num_instances") or 1,
                   group=GroupSpec.from_dict(data["group"]) if data.get("group") else None)
