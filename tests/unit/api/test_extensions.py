"""/extensions: Nova's fixed list of v2.1 extensions (99, by alias), one
by alias, 404 for an unknown alias; any user with a token may read it."""
import pytest

from tests.unit.api.conftest import act_as

COMMON = {"links": [], "namespace": "http://docs.openstack.org/compute/ext/fake_xml",
          "updated": "2014-12-03T00:00:00Z"}


def test_index_is_novas_list(client, fake, monkeypatch):
    act_as(monkeypatch, "auditor", "p1", ["reader"])
    reply = client.get("/v2.1/extensions")
    assert reply.status_code == 200
    extensions = reply.get_json()["extensions"]
    aliases = [e["alias"] for e in extensions]
    assert len(extensions) == 99 and len(set(aliases)) == 99
    assert aliases[:3] == ["NMN", "OS-DCF", "OS-EXT-AZ"]
    assert aliases[-3:] == ["os-virtual-interfaces", "os-volume-attachment-update", "os-volumes"]
    assert "os-server-password" in aliases and "os-server-tags" not in aliases
    assert all(set(e) == {"alias", "description", "name", *COMMON} for e in extensions)


def test_show_one(client, fake):
    reply = client.get("/v2.1/extensions/OS-DCF")
    assert reply.status_code == 200
    assert reply.get_json() == {"extension": {
        "alias": "OS-DCF", "description": "Disk Management Extension.", "name": "DiskConfig",
        **COMMON}}


@pytest.mark.parametrize("alias", ["os-fake", "os-dcf", "OS-EXT-VIF-NET"])
def test_unknown_alias_is_not_found(client, fake, alias):
    reply = client.get(f"/v2.1/extensions/{alias}")
    assert reply.status_code == 404
    assert reply.get_json() == {"itemNotFound": {
        "message": "The resource could not be found.", "code": 404}}


def test_needs_a_token(anonymous):
    assert anonymous.get("/v2.1/extensions").status_code == 401
