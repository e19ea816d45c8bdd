"""OS-DCF:diskConfig is kept, as Nova's auto_disk_config: the value a
create, rebuild, resize or update gives shows in show and list detail;
a create, rebuild, resize or migrate without it is MANUAL; anything but
AUTO and MANUAL is a 400."""
import pytest

from tests.unit.api.server_migrations import two_hosts as rs
from tests.unit.api.stack import act, boot, boot_id, image_id

KEY = "OS-DCF:diskConfig"


def _shown(client, server_id):
    detail = client.get("/v2.1/servers/detail").get_json()["servers"]
    listed = next(s[KEY] for s in detail if s["id"] == server_id)
    assert listed == rs.show(client, server_id)[KEY]
    return listed


@pytest.mark.parametrize("value", ["AUTO", "MANUAL", None])
def test_create_keeps_the_value_given_manual_by_default(client, flavors, value):
    extra = {KEY: value} if value else {}
    reply = boot(client, flavors["small"], image_id(), **extra)
    assert reply.status_code == 202, reply.get_json()
    assert reply.get_json()["server"][KEY] == (value or "MANUAL")
    assert _shown(client, reply.get_json()["server"]["id"]) == (value or "MANUAL")


@pytest.mark.parametrize("value", ["auto", "", "AUTOMATIC", 1, None])
def test_anything_else_is_a_400_everywhere(client, server, flavors, value):
    assert boot(client, flavors["small"], image_id(), **{KEY: value}).status_code == 400
    rebuild = {"rebuild": {"imageRef": rs.show(client, server)["image"]["id"], KEY: value}}
    resize = {"resize": {"flavorRef": flavors["big"], KEY: value}}
    for body in (rebuild, resize):
        reply = act(client, server, body)
        assert reply.status_code == 400 and KEY in reply.get_json()["badRequest"]["message"]
    update = client.put(f"/v2.1/servers/{server}", json={"server": {KEY: value}})
    assert update.status_code == 400
    assert rs.where(client, server)[1:3] == ("ACTIVE", None)


def test_rebuild_sets_it_and_without_it_is_manual(client, flavors):
    server = boot_id(client, flavors["small"], image_id(), **{KEY: "MANUAL"})
    image = rs.show(client, server)["image"]["id"]
    reply = act(client, server, {"rebuild": {"imageRef": image, KEY: "AUTO"}})
    assert reply.status_code == 202 and reply.get_json()["server"][KEY] == "AUTO"
    assert rs.where(client, server)[1:3] == ("ACTIVE", None) and _shown(client, server) == "AUTO"
    assert act(client, server, {"rebuild": {"imageRef": image}}).status_code == 202
    assert _shown(client, server) == "MANUAL"


def test_resize_sets_it_and_a_migration_resets_it(client, flavors):
    server = boot_id(client, flavors["small"], image_id())
    reply = act(client, server, {"resize": {"flavorRef": flavors["big"], KEY: "AUTO"}})
    assert reply.status_code == 202
    assert rs.where(client, server)[1:3] == ("VERIFY_RESIZE", None)
    assert _shown(client, server) == "AUTO"
    assert act(client, server, {"confirmResize": None}).status_code == 204
    assert _shown(client, server) == "AUTO"
    assert act(client, server, {"migrate": None}).status_code == 202
    assert _shown(client, server) == "MANUAL"  # Nova: `auto_disk_config or False`


def test_update_sets_it_and_leaves_it_when_not_given(client, server):
    for value in ("AUTO", "MANUAL", "AUTO"):
        reply = client.put(f"/v2.1/servers/{server}", json={"server": {KEY: value}})
        assert reply.status_code == 200 and reply.get_json()["server"][KEY] == value
    client.put(f"/v2.1/servers/{server}", json={"server": {"name": "renamed"}})
    assert _shown(client, server) == "AUTO"
