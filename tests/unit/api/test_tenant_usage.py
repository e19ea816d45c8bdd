"""os-simple-tenant-usage on the real eager stack: hours per server and
per project, deleted servers counted for the time they ran, periods
checked (400), a project's own usage for its readers, everyone's for
admins only; and os-instance_usage_audit_log, which reports the audit
not run on any host (Stratus runs none)."""
import datetime

import pytest

from stratus import config
from tests.unit.api import stack
from tests.unit.api.conftest import act_as, mv


@pytest.fixture
def api(client, db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path)
    reporters = stack.start_hosts(monkeypatch, {"usage-a": "nova"})
    yield client
    stack.stop_hosts(reporters)
    monkeypatch.undo()
    config.reset_settings()


def _at(delta_hours):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=delta_hours)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def test_usage_of_running_and_deleted_servers(api):
    flavor, image = stack.flavor_id(api, vcpus=2, ram=256), stack.image_id()
    running = stack.boot_id(api, flavor, image, name="running")
    gone = stack.boot_id(api, flavor, image, name="gone")
    assert api.delete(f"/v2.1/servers/{gone}").status_code == 204
    period = f"start={_at(-1)}&end={_at(1)}"

    listed = api.get(f"/v2.1/os-simple-tenant-usage?{period}&detailed=1").get_json()
    [usage] = listed["tenant_usages"]
    assert usage["tenant_id"] == "default" and len(usage) == 8
    servers = {s["name"]: s for s in usage["server_usages"]}
    assert servers["running"]["state"] == "active" and servers["running"]["ended_at"] is None
    assert servers["gone"]["state"] == "terminated" and servers["gone"]["ended_at"]
    assert (servers["running"]["vcpus"], servers["running"]["memory_mb"]) == (2, 256)
    assert usage["total_vcpus_usage"] == pytest.approx(2 * usage["total_hours"])
    assert set(listed["tenant_usages"][0]) - {"server_usages"} == set(
        api.get(f"/v2.1/os-simple-tenant-usage?{period}").get_json()["tenant_usages"][0])

    shown = api.get(f"/v2.1/os-simple-tenant-usage/default?{period}").get_json()
    assert {s["instance_id"] for s in shown["tenant_usage"]["server_usages"]} == {running, gone}
    before = f"start={_at(-3)}&end={_at(-2)}"
    assert api.get(f"/v2.1/os-simple-tenant-usage/default?{before}").get_json() == \
        {"tenant_usage": {}}

    paged = api.get(f"/v2.1/os-simple-tenant-usage/default?{period}&limit=1",
                    headers=mv("2.40")).get_json()
    assert len(paged["tenant_usage"]["server_usages"]) == 1
    assert "marker=" in paged["tenant_usage_links"][0]["href"]


def test_bad_periods_and_policy(api, monkeypatch):
    for query in (f"start={_at(1)}&end={_at(-1)}", "start=yesterday"):
        reply = api.get(f"/v2.1/os-simple-tenant-usage?{query}")
        assert reply.status_code == 400 and reply.get_json()["badRequest"]["code"] == 400
    assert api.get("/v2.1/os-simple-tenant-usage/").status_code == 404  # an empty project id
    act_as(monkeypatch, "reader", "proj", ("reader",))
    assert api.get("/v2.1/os-simple-tenant-usage").status_code == 403
    assert api.get("/v2.1/os-simple-tenant-usage/proj").status_code == 200
    assert api.get("/v2.1/os-simple-tenant-usage/other").status_code == 403


def test_usage_audit_log_reports_every_host_not_run(api, monkeypatch):
    logs = api.get("/v2.1/os-instance_usage_audit_log").get_json()["instance_usage_audit_logs"]
    assert (logs["hosts_not_run"], logs["num_hosts"], logs["overall_status"]) == \
        (["usage-a"], 1, "0 of 1 hosts done. 0 errors.")
    one = api.get("/v2.1/os-instance_usage_audit_log/2026-03-15%2010:00:00").get_json()
    assert (one["instance_usage_audit_log"]["period_beginning"],
            one["instance_usage_audit_log"]["period_ending"]) == \
        ("2026-02-01 00:00:00", "2026-03-01 00:00:00")
    bad = api.get("/v2.1/os-instance_usage_audit_log/invalid_time")
    assert bad.status_code == 400 and "Invalid timestamp" in bad.get_json()["badRequest"]["message"]
    act_as(monkeypatch, "reader", "proj", ("member",))
    assert api.get("/v2.1/os-instance_usage_audit_log").status_code == 403
