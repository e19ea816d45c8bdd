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
EXAMPLES_PER_OPERATION = 10
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


def test_api_conforms_to_its_openapi_document(all_in_one, tmp_path):
    command = [str(BIN / "schemathesis"), "--config-file", str(CONFIG), "--no-color", "run",
               f"{all_in_one}/openapi.json",
               "--header", f"X-Auth-Token: {admin_token(all_in_one)}",
               "--checks", ",".join(CHECKS), "--mode", "all",
               "--phases", "examples,coverage,fuzzing",
               "--max-examples", str(EXAMPLES_PER_OPERATION), "--generation-deterministic",
               "--workers", "1", "--request-timeout", "30",
               "--report", "junit", "--report-dir", str(tmp_path)]
    started = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    took = time.monotonic() - started
    summary = run.stdout[run.stdout.rfind("SUMMARY"):] if "SUMMARY" in run.stdout else run.stdout
    print(f"schemathesis: {took:.0f} s\n{summary}")
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-3000:]
