"""The server list's reservation, image, flavor and time filters on the real eager
stack: `image`, `flavor`, `changes-since` and 2.66's `changes-before`
(bad dates are 400; a bounded time lists deleted servers too)."""
import datetime

import pytest

from stratus import config
from tests.unit.api import stack
from tests.unit.api.conftest import mv


@pytest.fixture
def api(client, db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path)
    reporters = stack.start_hosts(monkeypatch, {"filters-a": "nova"})
    yield client
    stack.stop_hosts(reporters)
    monkeypatch.undo()
    config.reset_settings()


def _names(api, query, version="2.66"):
    reply = api.get(f"/v2.1/servers/detail?{query}", headers=mv(version))
    assert reply.status_code == 200, reply.get_json()
    return sorted(s["name"] for s in reply.get_json()["servers"])


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_image_and_flavor_filters(api):
    small, large = stack.flavor_id(api), stack.flavor_id(api, "op.large", ram=128)
    image = stack.image_id()
    stack.boot_id(api, small, image, name="on-small")
    stack.boot_id(api, large, image, name="on-large")
    assert _names(api, f"flavor={large}") == ["on-large"]
    assert _names(api, f"flavor=http://x/flavors/{small}") == ["on-small"]
    assert _names(api, "flavor=no-such-flavor") == []
    assert _names(api, f"image={image}") == ["on-large", "on-small"]
    assert _names(api, "image=00000000-0000-0000-0000-000000000000") == []


def test_reservation_id_filter_lists_one_multi_create(api):
    flavor, image = stack.flavor_id(api), stack.image_id()
    stack.boot_id(api, flavor, image, name="alone")
    reply = stack.boot(api, flavor, image, name="pair", min_count=2, max_count=2,
                       return_reservation_id=True)
    reservation = reply.get_json()["reservation_id"]
    assert _names(api, f"reservation_id={reservation}") == ["pair-1", "pair-2"]
    assert _names(api, "reservation_id=r-nothing") == []


def test_changes_since_and_before(api):
    flavor, image = stack.flavor_id(api), stack.image_id()
    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1)
    stack.boot_id(api, flavor, image, name="kept")
    gone = stack.boot_id(api, flavor, image, name="gone")
    assert api.delete(f"/v2.1/servers/{gone}").status_code == 204

    assert _names(api, f"changes-since={_iso(before)}") == ["gone", "kept"]
    assert _names(api, "") == ["kept"]
    assert _names(api, "changes-since=2051-01-01T12:34:00Z") == []
    assert _names(api, f"changes-before={_iso(before)}") == []
    for query in ("changes-since=2011/01/01", "changes-before=yesterday", "changes-since=",
                  "changes-since=2051-01-01T00:00:00Z&changes-before=2050-01-01T00:00:00Z"):
        reply = api.get(f"/v2.1/servers?{query}", headers=mv("2.66"))
        assert reply.status_code == 400, query
        assert reply.get_json()["badRequest"]["code"] == 400
    # changes-before is 2.66's: ignored before, as unknown filters are.
    assert _names(api, f"changes-before={_iso(before)}", "2.65") == ["kept"]
