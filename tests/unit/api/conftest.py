"""API fixtures: the app, its test client, and `fake`, an in-memory
stand-in for the conductor and compute stubs (for tests that need data
but not the real eager stack).

The client sends a token for every request: by default an admin's (user
`admin` of project `default`); act_as() switches to another user, project
and roles; `anonymous` is a client that sends none."""
import dataclasses
import datetime

import pytest
from flask.testing import FlaskClient

from stratus import config

from stratus.common import boot_catalog, exception
from stratus.common.context import get_admin_context
from stratus.common.objects import ComputeNode, Flavor, Image, Instance, Service


ADMIN = ("admin", "default", ("admin",))
# {(user id, project id): roles} of the tokens token_for minted: the api's
# re-check (identity.recheck) takes them as granted (see `app`).
MINTED = {}


def token_for(user_id, project_id, roles):
    """A token (minted with the api's keys) for this user, project and
    roles; the user and project need not exist, names are their ids."""
    from stratus.api.identity import tokens
    from stratus.common.context import implied_roles
    from stratus.common.objects.identity import Project, User

    granted = implied_roles(roles)
    MINTED[(user_id, project_id)] = MINTED.get((user_id, project_id), frozenset()) | set(granted)
    text, _token = tokens.issue(User(id=user_id, name=user_id),
                                Project(id=project_id, name=project_id), granted)
    return text


def _minted_are_granted(monkeypatch):
    """Minted tokens name users who are not in the database: their roles
    count as granted; every other token is re-checked for real."""
    from stratus.api.identity import recheck

    real = recheck.current_roles
    MINTED.clear()
    monkeypatch.setattr(recheck, "current_roles", lambda token, ctxt: MINTED.get(
        (token.user_id, token.project_id)) or real(token, ctxt))


class TokenClient(FlaskClient):
    """A test client sending the token of `identity` (user, project,
    roles) with each request; None sends none. A request's own
    X-Auth-Token header wins."""

    identity = ADMIN

    def open(self, *args, **kwargs):
        if self.identity is None:
            self.environ_base.pop("HTTP_X_AUTH_TOKEN", None)
        else:
            self.environ_base["HTTP_X_AUTH_TOKEN"] = token_for(*self.identity)
        reply = super().open(*args, **kwargs)
        check_bodiless(reply)
        return reply


def check_bodiless(reply):
    """Every 204, and every 202 without content, of every API test has an
    empty body and no Content-Type, as Nova's (not the JSON `""`)."""
    if reply.status_code == 204 or (reply.status_code == 202 and reply.data.strip() == b'""'):
        assert reply.data == b"" and "Content-Type" not in reply.headers, (
            f"{reply.request.method} {reply.request.path}: {reply.status_code} "
            f"with body {reply.data!r} ({reply.headers.get('Content-Type')})")


def act_as(monkeypatch, user_id, project_id, roles=("member",)):
    """Make the clients' following requests as this user (until the test ends)."""
    monkeypatch.setattr(TokenClient, "identity", (user_id, project_id, tuple(roles)))


@pytest.fixture
def app(db, roles, monkeypatch):
    """The API app. Its token check asks the conductor about revocations,
    so the roles and a database are there even for tests that use fakes
    (without registered tasks a local-mode call would go to a broker)."""
    from stratus.api import create_app

    _minted_are_granted(monkeypatch)
    flask_app = create_app({"TESTING": True})
    flask_app.test_client_class = TokenClient
    return flask_app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def anonymous(app):
    """A client that sends no token."""
    unauthenticated = app.test_client()
    unauthenticated.identity = None
    return unauthenticated


def mv(version):
    """Headers asking for a compute microversion."""
    return {"OpenStack-API-Version": f"compute {version}"}


def _now():
    return datetime.datetime(2026, 1, 2, 3, 4, 5, 678901).isoformat()


class FakeCloud:
    """The data the stubs serve, and a record of what was sent."""

    def __init__(self):
        self.flavors, self.images, self.instances = {}, {}, {}
        self.services, self.nodes = [], []
        self.created, self.terminated, self.destroyed, self.updates = [], [], [], []
        self.revoked_tokens = set()

    def add_flavor(self, flavorid="1", name="m1.tiny", **kw):
        values = dict(id=len(self.flavors) + 1, flavorid=flavorid, name=name, vcpus=1,
                      memory_mb=512, root_gb=1)
        self.flavors[flavorid] = Flavor(**{**values, **kw})
        return self.flavors[flavorid]

    def add_image(self, image_id="11111111-1111-1111-1111-111111111111", name="cirros", **kw):
        self.images[image_id] = Image(id=image_id, name=name, created_at=_now(), **kw)
        return self.images[image_id]

    def add_instance(self, **kw):
        values = dict(uuid=f"00000000-0000-0000-0000-{len(self.instances) + 1:012d}",
                      display_name="vm", project_id="default", user_id="admin",
                      vm_state="active", created_at=_now(), id=len(self.instances) + 1)
        instance = Instance(**{**values, **kw})
        self.instances[instance.uuid] = instance
        return instance

    def add_host(self, host="host1", up=True, disabled=False):
        service = Service(id=len(self.services) + 1, host=host, binary="nova-compute",
                          topic="compute", up=up, disabled=disabled, updated_at=_now(),
                          uuid=f"5e000000-0000-0000-0000-{len(self.services) + 1:012d}")
        self.services.append(service)
        self.nodes.append(ComputeNode(id=len(self.nodes) + 1, host=host, hypervisor_hostname=host,
                                      hypervisor_type="QEMU", hypervisor_version=8000000,
                                      vcpus=16, memory_mb=32768, local_gb=500,
                                      service_id=service.id, service_up=up,
                                      uuid=f"c0000000-0000-0000-0000-{len(self.nodes) + 1:012d}"))
        return service


class FakeConductorAPI:
    """ConductorAPI over a FakeCloud."""

    cloud = None

    def flavor_get_all(self, ctxt, is_public=True, min_ram=None, min_disk=None):
        return [f for f in self.cloud.flavors.values()
                if (is_public is None or f.is_public == is_public)
                and f.memory_mb >= (min_ram or 0) and f.root_gb >= (min_disk or 0)]

    def flavor_get(self, ctxt, flavorid):
        if flavorid not in self.cloud.flavors:
            raise exception.FlavorNotFound(flavor_id=flavorid)
        return self.cloud.flavors[flavorid]

    def flavor_create(self, ctxt, values):
        values = dict(values)
        flavorid = values.pop("flavorid") or "generated-id"
        if flavorid in self.cloud.flavors:
            raise exception.FlavorExists(key="id", value=flavorid)
        return self.cloud.add_flavor(flavorid, **values)

    def flavor_delete(self, ctxt, flavorid):
        self.flavor_get(ctxt, flavorid)
        del self.cloud.flavors[flavorid]

    def image_get_all(self, ctxt, filters=None):
        filters = filters or {}
        return [i for i in self.cloud.images.values()
                if filters.get("name") in (None, i.name)
                and (not filters.get("ids") or i.id in filters["ids"])]

    def image_get(self, ctxt, image_id):
        if image_id not in self.cloud.images:
            raise exception.ImageNotFound(image_id=image_id)
        return self.cloud.images[image_id]

    def flavor_and_image_get(self, ctxt, flavorid, image_id):
        return [self.flavor_get(ctxt, flavorid), self.cloud.images.get(image_id)]

    # no network service records in the fake (tests/unit/network has the real ones)
    def net_list(self, ctxt, kind, filters=None):
        return []

    def net_get(self, ctxt, kind, resource_id):
        errors = {"network": exception.NetworkNotFound(net_id=resource_id),
                  "port": exception.PortNotFound(port_id=resource_id)}
        raise errors[kind]

    def instance_group_get_all(self, ctxt, project_id=None):
        return []  # no server groups in the fake (test_server_groups uses the real stack)

    def instance_get(self, ctxt, instance_uuid, read_deleted=False):
        if instance_uuid not in self.cloud.instances:
            raise exception.InstanceNotFound(instance_id=instance_uuid)
        return self.cloud.instances[instance_uuid]

    def instance_get_all(self, ctxt, filters=None, limit=None, marker=None):
        self.cloud.last_filters = filters
        items = list(self.cloud.instances.values())
        for key in ("project_id", "host"):
            if key in (filters or {}):
                items = [i for i in items if getattr(i, key) == filters[key]]
        if "vm_state" in (filters or {}):
            items = [i for i in items if i.vm_state in filters["vm_state"]]
        if (filters or {}).get("name"):
            items = [i for i in items if filters["name"] in i.display_name]
        if marker:
            uuids = [i.uuid for i in items]
            if marker not in uuids:
                raise exception.Invalid(f"marker [{marker}] not found")
            items = items[uuids.index(marker) + 1:]
        return items[:limit] if limit else items

    def can_send_version(self, version):
        return True

    def instance_tags_get_by_instances(self, ctxt, instance_uuids):
        return {uuid: [] for uuid in instance_uuids}  # tags: the real stack (test_server_tags)

    def instance_get_all_with_tags(self, ctxt, filters=None, limit=None, marker=None):
        instances = self.instance_get_all(ctxt, filters, limit, marker)
        return {"instances": instances,
                "tags": self.instance_tags_get_by_instances(ctxt, [i.uuid for i in instances])}

    def instance_update(self, ctxt, instance_uuid, values, expected_task_state="__unset__",
                        expected_vm_state=None, event=None, action=None):
        instance = self.instance_get(ctxt, instance_uuid)
        if expected_task_state != "__unset__" and instance.task_state not in expected_task_state:
            raise exception.UnexpectedTaskStateError(
                instance_uuid=instance_uuid, expected=expected_task_state,
                actual=instance.task_state)
        self.cloud.updates.append((instance_uuid, values, expected_task_state))
        instance.update(values)
        return dataclasses.replace(instance)

    def instance_destroy(self, ctxt, instance_uuid):
        self.cloud.destroyed.append(instance_uuid)
        return self.cloud.instances.pop(instance_uuid)

    def service_get_all(self, ctxt, binary=None):
        return [s for s in self.cloud.services if binary in (None, s.binary)]

    def compute_node_get_all(self, ctxt):
        return list(self.cloud.nodes)

    def keypair_get(self, ctxt, user_id, name):
        raise exception.KeypairNotFound(name=name, user_id=user_id)

    def can_send_version(self, version):
        return True

    def token_revoked(self, ctxt, token_id):
        return token_id in self.cloud.revoked_tokens

    def token_revoke(self, ctxt, token_id, expires_at):
        self.cloud.revoked_tokens.add(token_id)


class FakeComputeTaskAPI:
    """ComputeTaskAPI that records create_instance calls."""

    cloud = None

    def create_instance(self, ctxt, values, request_spec):
        self.cloud.created.append((ctxt, values, request_spec))
        fields = {f.name for f in dataclasses.fields(Instance)}
        instance = Instance(**{k: v for k, v in values.items() if k in fields})
        instance.created_at = _now()
        self.cloud.instances[instance.uuid] = instance
        return instance

    def create_instances(self, ctxt, instances_values, request_spec, min_count):
        return [self.create_instance(ctxt, values, request_spec) for values in instances_values]

    def create_instances_by_ref(self, ctxt, instances_values, request_spec, min_count,
                                flavorid, image_id):
        # What the conductor reads and checks, on the fake's catalog.
        try:
            flavor, image = FakeConductorAPI().flavor_and_image_get(ctxt, flavorid, image_id)
        except exception.FlavorNotFound as exc:
            raise exception.Invalid(exc.message) from None
        flavor, image = boot_catalog.checked(ctxt, flavor, image, image_id)
        columns = boot_catalog.instance_values(flavor, image)
        return self.create_instances(ctxt, [dict(v, **columns) for v in instances_values],
                                     dict(request_spec, flavor=flavor, image=image), min_count)


class FakeComputeAPI:
    """ComputeAPI that records terminate casts and answers uptime."""

    cloud = None
    UPTIME = " 10:00:00 up 1 day,  1 user,  load average: 0.00, 0.00, 0.00"

    def terminate_instance(self, ctxt, host, instance):
        self.cloud.terminated.append((host, instance.uuid))

    def get_host_uptime(self, ctxt, host):
        return self.UPTIME


@pytest.fixture
def fake(monkeypatch):
    """Swap the rpcapi classes for in-memory fakes; returns the FakeCloud."""
    from stratus.compute import rpcapi as compute_rpcapi
    from stratus.conductor import rpcapi as conductor_rpcapi

    cloud = FakeCloud()
    for cls in (FakeConductorAPI, FakeComputeTaskAPI, FakeComputeAPI):
        monkeypatch.setattr(cls, "cloud", cloud)
    monkeypatch.setattr(conductor_rpcapi, "ConductorAPI", FakeConductorAPI)
    monkeypatch.setattr(conductor_rpcapi, "ComputeTaskAPI", FakeComputeTaskAPI)
    monkeypatch.setattr(compute_rpcapi, "ComputeAPI", FakeComputeAPI)
    return cloud


# The real eager stack: conductor, scheduler and compute (on libvirt's test
# driver) in this process, on the test SQLite.
@pytest.fixture
def stack(db, roles, tmp_path, monkeypatch):
    """Fresh settings with an image store holding one image file."""
    monkeypatch.setenv("STRATUS_IMAGES_PATH", str(tmp_path / "images"))
    monkeypatch.setenv("STRATUS_INSTANCES_PATH", str(tmp_path / "instances"))
    config.reset_settings()
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "cirros.qcow2").write_bytes(b"not really qcow2")
    yield
    monkeypatch.undo()
    config.reset_settings()


@pytest.fixture
def image(stack):
    from stratus.conductor.rpcapi import ConductorAPI

    return ConductorAPI().image_create(get_admin_context(), {
        "name": "cirros", "file": "cirros.qcow2", "size": 16})


@pytest.fixture
def compute_host(stack):
    from stratus.compute import service

    reporters = service.start_compute(["e2e-host"], "test:///default", periodic=False)
    yield "e2e-host"
    service.stop_compute(reporters)
