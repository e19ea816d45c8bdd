"""A boot's flavor and image are checked by the conductor as it records
the servers (RPC 1.12), or by the api before (conductors capped below
1.12): the same 400, word for word, and nothing recorded."""
import pytest

from stratus import config
from stratus.common.context import get_admin_context
from tests.unit.api.stack import as_user, boot, flavor_id


def _image(**values):
    from stratus.conductor.rpcapi import ConductorAPI

    return ConductorAPI().image_create(get_admin_context(), {
        "name": "cirros", "file": "cirros.qcow2", "size": 16, **values}).id


def _refused(client, monkeypatch, cap, flavor, image):
    if cap:
        monkeypatch.setenv("STRATUS_CONDUCTOR_RPC_VERSION_CAP", cap)
    else:
        monkeypatch.delenv("STRATUS_CONDUCTOR_RPC_VERSION_CAP", raising=False)
    config.reset_settings()
    reply = boot(client, flavor, image)
    return reply.status_code, reply.get_json()


CASES = {
    "unknown flavor": lambda client: ("no-such-flavor", _image()),
    "unknown image": lambda client: (flavor_id(client, "c.tiny"), "no-such-image"),
    "another project's private image": lambda client: (
        flavor_id(client, "c.tiny"), _image(visibility="private", owner="p-other")),
    "image not active": lambda client: (flavor_id(client, "c.tiny"), _image(status="queued")),
    "flavor too small for the image": lambda client: (
        flavor_id(client, "c.tiny"), _image(min_ram=4096)),
}


@pytest.mark.parametrize("case", CASES)
def test_a_bad_flavor_or_image_gets_the_same_400_from_conductor_or_api(
        client, stack, monkeypatch, case):
    flavor, image = CASES[case](client)
    as_user(monkeypatch)
    by_conductor = _refused(client, monkeypatch, None, flavor, image)
    by_api = _refused(client, monkeypatch, "1.11", flavor, image)
    assert by_conductor[0] == 400, by_conductor
    assert by_conductor == by_api
    assert client.get("/v2.1/servers").get_json()["servers"] == []
