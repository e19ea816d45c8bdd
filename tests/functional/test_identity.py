"""Identity on the distributed cloud: the bootstrap admin and its
openrc, users and projects made with the CLI, tokens that work on every
api worker until revoked, and one project kept out of another's servers."""
import subprocess
import uuid

import requests

from tests.functional.cloud import STRATUS, wait_for


def test_the_openrc_logs_the_admin_in(cloud):
    openrc = dict(line.removeprefix("export ").split("=", 1)
                  for line in cloud.run_cli("openrc").stdout.splitlines())
    assert openrc["OS_AUTH_URL"] == f"http://127.0.0.1:{cloud.port}/identity/v3"
    reply = cloud.login(openrc["OS_USERNAME"], openrc["OS_PASSWORD"], openrc["OS_PROJECT_NAME"])
    assert reply.status_code == 201
    catalog = {s["type"]: s["endpoints"] for s in reply.json()["token"]["catalog"]}
    public = [e["url"] for e in catalog["compute"] if e["interface"] == "public"]
    assert public == [f"{cloud.url}/v2.1"]
    assert requests.get(f"{cloud.url}/v2.1/servers", timeout=10,
                        headers={"X-Auth-Token": reply.headers["X-Subject-Token"]}) \
        .status_code == 200


def test_discovery_is_open_and_the_rest_needs_a_token(cloud):
    for path, code in (("/", 200), ("/v2.1", 200), ("/identity", 300), ("/identity/v3", 200)):
        assert requests.get(cloud.url + path, timeout=10).status_code == code, path
    for token in (None, "garbage"):
        reply = requests.get(f"{cloud.url}/v2.1/servers", timeout=10,
                             headers={"X-Auth-Token": token} if token else {})
        assert reply.status_code == 401
        assert reply.headers["WWW-Authenticate"] == f'Keystone uri="{cloud.url}/identity"'


def test_a_revoked_token_is_refused_by_every_api_worker(cloud):
    openrc_password = cloud.env["STRATUS_ADMIN_PASSWORD"]
    token = cloud.token("admin", openrc_password, "admin")
    # Two gunicorn workers: several requests reach both.
    assert {cloud.api("GET", "/flavors", token=token).status_code for _ in range(6)} == {200}
    revoke = cloud.identity("DELETE", "/auth/tokens",
                            headers={"X-Auth-Token": token, "X-Subject-Token": token})
    assert revoke.status_code == 204
    assert {cloud.api("GET", "/flavors", token=token).status_code for _ in range(6)} == {401}


def test_projects_are_kept_apart(clean, flavor):
    cloud = clean
    name = f"ft-{uuid.uuid4().hex[:6]}"
    cloud.run_cli("project", "create", name)
    cloud.run_cli("user", "create", name, "--password", "pw", "--project", name)
    theirs = cloud.token(name, "pw", name)
    mine = cloud.boot("admins-own", flavor, cloud.image_id)
    cloud.wait_final([mine])
    assert cloud.api("GET", "/servers", token=theirs).json()["servers"] == []
    assert cloud.api("GET", f"/servers/{mine}", token=theirs).status_code == 404
    assert cloud.api("DELETE", f"/servers/{mine}", token=theirs).status_code == 404
    assert cloud.api("POST", f"/servers/{mine}/action", token=theirs,
                     json={"os-stop": None}).status_code == 404
    assert cloud.api("GET", "/os-hypervisors", token=theirs).status_code == 403
    assert cloud.api("GET", "/servers?all_tenants=1", token=theirs).status_code == 403
    own = cloud.api("POST", "/servers", token=theirs, json={"server": {
        "name": "theirs", "flavorRef": flavor, "imageRef": cloud.image_id, "networks": "none",
        "availability_zone": "nova"}})
    assert own.status_code == 202, own.text
    theirs_id = own.json()["server"]["id"]
    assert [s["id"] for s in cloud.api("GET", "/servers", token=theirs).json()["servers"]] == \
        [theirs_id]
    everyone = cloud.api("GET", "/servers?all_tenants=1").json()["servers"]
    assert {mine, theirs_id} <= {s["id"] for s in everyone}
    assert cloud.server(mine)["status"] == "ACTIVE"
    # Settled before `clean` deletes it (a delete racing the build is a 409).
    wait_for(lambda: cloud.api("GET", f"/servers/{theirs_id}", token=theirs)
             .json()["server"]["status"] != "BUILD", 60, 0.25, "their server to settle")


def test_operator_commands_on_postgresql_and_tokens_follow_the_user(clean, flavor):
    """The distributed shape: the commands work on PostgreSQL in their own
    process (no conductor answers them), a project with a server cannot
    be deleted, and a disabled user's token stops working on every api
    worker within STRATUS_TOKEN_RECHECK_SECONDS (5 s)."""
    cloud = clean
    name = f"ft-{uuid.uuid4().hex[:6]}"
    cloud.run_cli("project", "create", name)
    cloud.run_cli("user", "create", name, "--password", "pw", "--project", name)
    theirs = cloud.token(name, "pw", name)
    booted = cloud.api("POST", "/servers", token=theirs, json={"server": {
        "name": "theirs", "flavorRef": flavor, "imageRef": cloud.image_id, "networks": "none"}})
    assert booted.status_code == 202, booted.text
    server = booted.json()["server"]["id"]
    refused = subprocess.run([STRATUS, "project", "delete", name], env=cloud.env,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1 and "still has 1 server(s)" in refused.stderr
    cloud.run_cli("user", "disable", name)
    wait_for(lambda: {cloud.api("GET", "/flavors", token=theirs).status_code
                      for _ in range(4)} == {401}, 15, what="the disabled user's token refused")
    assert cloud.login(name, "pw", name).status_code == 401
    cloud.delete_all()
    assert cloud.server(server) is None
    cloud.run_cli("user", "delete", name)
    cloud.run_cli("project", "delete", name)
