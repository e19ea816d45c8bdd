"""The OpenAPI document against the live API: schemathesis generates
requests from /openapi.json (valid ones and ones that break a stated
constraint) and fails on any 5xx and any answer the document does not
describe (status, content type, headers, body), or an invalid request
accepted.

Bounded: a fixed number of examples per operation, derandomized
generation (the same requests every run), one worker. The API is a real
`stratus all-in-one` (every role in one process, SQLite, libvirt's
test:///default driver), so boots are real but cost no guest."""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.functional.cloud import free_port, wait_for

BIN = Path(sys.executable).parent
CONFIG = Path(__file__).with_name("schemathesis.toml")
PASSWORD = "contract-admin"
# A deeper local run: STRATUS_CONTRACT_EXAMPLES=100.
EXAMPLES_PER_OPERATION = int(os.environ.get("STRATUS_CONTRACT_EXAMPLES", "10"))
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance",
          "negative_data_rejection")


def _environment(state, port):
    # The test session's own STRATUS_* (the unit database, eager mode...)
    # must not leak into the cloud under test.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STRATUS_", "CELERY_"))}
    novnc = free_port()
    env.update(STRATUS_STATE_DIR=str(state), STRATUS_ADMIN_PASSWORD=PASSWORD,
               STRATUS_LIBVIRT_URI="test:///default", STRATUS_API_PORT=str(port),
               STRATUS_NOVNCPROXY_PORT=str(novnc),
               STRATUS_NOVNCPROXY_BASE_URL=f"http://127.0.0.1:{novnc}/vnc_lite.html")
    return env


def _answers(url):
    try:
        return requests.get(f"{url}/openapi.json", timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def all_in_one():
    """A `stratus all-in-one` on free ports; yields its URL."""
    state = Path(tempfile.mkdtemp(prefix="stratus-contract-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(state / "all-in-one.log", "wb") as log:
        proc = subprocess.Popen([str(BIN / "stratus"), "all-in-one", "--port", str(port),
                                 "--compute-host", "contract-host"],
                                env=_environment(state, port), cwd=state,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: _answers(url) or proc.poll() is not None, 90, 0.5, "the all-in-one")
        assert proc.poll() is None, (state / "all-in-one.log").read_text()[-3000:]
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def admin_token(url):
    """The admin's project-scoped token, from the identity API."""
    scope = {"project": {"name": "admin", "domain": {"id": "default"}}}
    user = {"name": "admin", "domain": {"id": "default"}, "password": PASSWORD}
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": user}},
                     "scope": scope}}
    reply = requests.post(f"{url}/identity/v3/auth/tokens", json=body, timeout=30)
    assert reply.status_code == 201, reply.text
    return reply.headers["X-Subject-Token"]


class Client:
    """The admin's requests to the API under test, at one microversion."""

    def __init__(self, url, token, version):
        self.url, self.http = url, requests.Session()
        self.http.headers.update({"X-Auth-Token": token,
                                  "OpenStack-API-Version": f"compute {version}"})

    def __call__(self, method, path, expect=(200,), **kwargs):
        path = path if path.startswith(("/image/", "/identity/", "/network/")) else \
            f"/v2.1{path}"
        reply = self.http.request(method, f"{self.url}{path}", timeout=60, **kwargs)
        assert reply.status_code in expect, f"{method} {path}: {reply.status_code} {reply.text}"
        return reply.json() if reply.content else None


def boot(api, name, flavor_id, image_id, **extra):
    server = api("POST", "/servers", expect=(202,), json={"server": {
        "name": name, "flavorRef": flavor_id, "imageRef": image_id, "networks": "none",
        **extra}})["server"]
    wait_for(lambda: api("GET", f"/servers/{server['id']}")["server"]["status"] == "ACTIVE",
             60, 0.5, "the server to be ACTIVE")
    return server["id"]


def resources(api, suffix):
    """One of each resource the paths name, made through the API, as
    {path parameter: value}: without them every request with a path
    parameter would end in a 404 and never reach the code behind it.
    `doomed_server_id` is the one DELETE /servers/{id} gets, so the
    other operations keep theirs."""
    name = f"contract-{suffix}"
    flavor = api("POST", "/flavors", json={"flavor": {
        "name": name, "ram": 64, "vcpus": 1, "disk": 1, "id": name}})["flavor"]["id"]
    # The servers boot from the seeded image; the image routes get an image
    # of this run's own, which they may patch or delete (an earlier run's
    # DELETE /images/{id} must not take the next run's boot image).
    image = api("GET", "/image/v2/images?name=stratus-empty")["images"][0]["id"]
    fuzzed = api("POST", "/image/v2/images", expect=(201,), json={
        "name": name, "disk_format": "raw", "container_format": "bare"})["id"]
    api("PUT", f"/image/v2/images/{fuzzed}/file", expect=(204,), data=b"\0" * 4096,
        headers={"Content-Type": "application/octet-stream"})
    server = boot(api, name, flavor, image, metadata={"k1": "v1"})
    api("PUT", f"/servers/{server}/tags/t1", expect=(201, 204),
        headers={"OpenStack-API-Version": "compute 2.26"})
    # 2.91: the last microversion where the API generates the key.
    api("POST", "/os-keypairs", expect=(200, 201), json={"keypair": {"name": name}},
        headers={"OpenStack-API-Version": "compute 2.91"})
    group = api("POST", "/os-server-groups", json={"server_group": {
        "name": name, "policies": ["affinity"]}},
        headers={"OpenStack-API-Version": "compute 2.1"})["server_group"]["id"]
    actions = api("GET", f"/servers/{server}/os-instance-actions")["instanceActions"]
    doomed = boot(api, f"{name}-doomed", flavor, image)
    return {**identity_resources(api, name), **network_resources(api, name, server),
            "server_id": server, "doomed_server_id": doomed,
            "flavor_id": flavor, "image_id": fuzzed, "keypair_name": name, "group_id": group,
            "key": "k1", "tag": "t1",
            "hypervisor_id": api("GET", "/os-hypervisors")["hypervisors"][0]["id"],
            "project_id": api("GET", f"/servers/{server}")["server"]["tenant_id"],
            "alias": api("GET", "/extensions")["extensions"][0]["alias"],
            "certificate_id": "root", "request_id": actions[0]["request_id"]}


def network_resources(api, name, server):
    """A network with a subnet, a port of the server in a group of its
    own with a rule: the network API's routes and Nova's proxy get them
    (the port holds the rest, so their deletes are 409s until it goes)."""
    def made(collection, key, **body):
        return api("POST", f"/network/v2.0/{collection}", expect=(201,),
                   json={key: {"name": name, **body}})[key]["id"]

    network = made("networks", "network")
    subnet = made("subnets", "subnet", network_id=network, cidr="10.99.0.0/24")
    group = made("security-groups", "security_group")
    port = made("ports", "port", network_id=network, device_id=server, security_groups=[group])
    rule = api("POST", "/network/v2.0/security-group-rules", expect=(201,), json={
        "security_group_rule": {"security_group_id": group, "direction": "ingress",
                                "protocol": "tcp", "port_range_min": 22,
                                "port_range_max": 22}})["security_group_rule"]["id"]
    return {"network_id": network, "subnet_id": subnet, "port_id": port,
            "security_group_id": group, "security_group_rule_id": rule}


def identity_resources(api, name):
    """A project and a user of their own for the identity API's routes
    (which may disable or delete them), and the member role."""
    project = api("POST", "/identity/v3/projects", expect=(201,), json={"project": {
        "name": name, "domain_id": "default"}})["project"]["id"]
    user = api("POST", "/identity/v3/users", expect=(201,), json={"user": {
        "name": name, "password": "contract-user", "default_project_id": project}})["user"]["id"]
    roles = api("GET", "/identity/v3/roles")["roles"]
    return {"identity_project_id": project, "user_id": user, "domain_id": "default",
            "role_id": next(role["id"] for role in roles if role["name"] == "member")}


@pytest.mark.parametrize("version", ["2.1", "latest"])
def test_api_conforms_to_its_openapi_document(all_in_one, tmp_path, version):
    """Once at the base microversion and once at the latest (the document
    holds the fields and routes of every microversion)."""
    token = admin_token(all_in_one)
    made = resources(Client(all_in_one, token, version), version.replace(".", "-"))
    env = dict(os.environ, **{f"CONTRACT_{name.upper()}": str(value)
                              for name, value in made.items()})
    command = [str(BIN / "schemathesis"), "--config-file", str(CONFIG), "--no-color", "run",
               f"{all_in_one}/openapi.json",
               "--header", f"X-Auth-Token: {token}",
               "--header", f"OpenStack-API-Version: compute {version}",
               "--checks", ",".join(CHECKS), "--mode", "all",
               "--phases", "examples,coverage,fuzzing",
               "--max-examples", str(EXAMPLES_PER_OPERATION), "--generation-deterministic",
               "--workers", "1", "--request-timeout", "30",
               "--report", "junit", "--report-dir", str(tmp_path)]
    started = time.monotonic()
    # cwd: schemathesis keeps a cache of crashes in .schemathesis/ there.
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env,
                         cwd=tmp_path)
    took = time.monotonic() - started
    (tmp_path / "schemathesis.txt").write_text(run.stdout)
    # The warnings (operations that only saw 404s or 400s) and the figures.
    at = run.stdout.find("= WARNINGS =")
    print(f"schemathesis at {version}: {took:.0f} s\n{run.stdout[at:] if at >= 0 else ''}")
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-3000:]
