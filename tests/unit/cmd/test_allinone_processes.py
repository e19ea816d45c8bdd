"""The all-in-one's processes: a short-lived child prepares the cloud
(schema, CA, seeds, admin), gunicorn's master binds the sockets and
holds none of the roles, the worker builds the API with every role, and
the console proxy is loaded at its first connection."""
import json
import os
import socket
import subprocess
import sys
import threading

import pytest

from stratus.cmd import allinone
from stratus.common import exception
from stratus.novncproxy import listener

MASTER = """
import json, sys
from stratus.cmd import allinone, api
seen = {}
def serve(host, port, workers, threads, post_worker_init=None, app_factory=None):
    seen.update(workers=workers, factory=app_factory is allinone._worker_app,
                loaded=sorted(m for m in ("sqlalchemy", "alembic", "flask", "celery",
                                           "websockify", "stratus.conductor.tasks")
                              if m in sys.modules))
api.serve = serve
allinone.main("127.0.0.1", 0, ["aio-test"])
print(json.dumps(seen))
"""


def _env(tmp_path, **extra):
    web = tmp_path / "web"
    web.mkdir(exist_ok=True)
    (web / "vnc_lite.html").write_text("<title>noVNC</title>")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRATUS_", "CELERY_"))}
    return {**env, "STRATUS_STATE_DIR": str(tmp_path / "state"),
            "STRATUS_DATABASE_URL": f"sqlite:///{tmp_path}/aio.sqlite",
            "STRATUS_CA_PATH": str(tmp_path / "ca"), "STRATUS_NOVNC_WEB": str(web),
            "STRATUS_NOVNCPROXY_PORT": "0", "STRATUS_LIBVIRT_URI": "test:///default",
            "STRATUS_BROKER_URL": "redis://127.0.0.1:1/0", **extra}


def test_the_master_prepares_the_cloud_in_a_child_and_loads_no_role(tmp_path):
    out = subprocess.run([sys.executable, "-c", MASTER], capture_output=True, text=True,
                         timeout=120, env=_env(tmp_path), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    seen = json.loads(lines[-1])
    assert seen == {"workers": 1, "factory": True, "loaded": []}
    # What the child did is there: the admin's password in the banner, the
    # openrc it wrote, the schema and the CA.
    assert "password " in lines[1] and (tmp_path / "state" / "openrc").is_file()
    assert "Consoles at" in lines[2]
    assert (tmp_path / "aio.sqlite").stat().st_size > 0 and any((tmp_path / "ca").iterdir())


def test_a_failing_preparation_ends_the_command_with_its_reason(capfd):
    def fails():
        raise exception.StratusException("the database is older than this code")

    with pytest.raises(SystemExit) as ended:
        allinone._in_child(fails)
    assert ended.value.code == 1
    assert "Error: the database is older than this code" in capfd.readouterr().err


def test_a_preparation_returns_its_result_from_the_child():
    parent = os.getpid()
    assert allinone._in_child(lambda: [os.getpid() != parent, "pw"]) == [True, "pw"]


def test_the_worker_builds_the_api_with_every_role():
    from stratus.common.celeryapp import app

    wsgi = allinone._worker_app()
    assert wsgi.url_map is not None
    for task in ("conductor.instance_get", "scheduler.select_destinations",
                 "consoleauth.check_token"):
        assert task in app.tasks


def test_the_console_proxy_is_served_from_its_first_connection(tmp_path):
    (tmp_path / "vnc_lite.html").write_text("x")
    sock = listener.listen("127.0.0.1", 0, tmp_path)
    served = threading.Event()

    def serve(listening):
        served.set()
        conn, _ = listening.accept()
        conn.sendall(b"hello")
        conn.close()

    listener.serve_from_first_connection(sock, serve)
    assert not served.wait(0.2)  # nothing loaded while nobody connects
    with socket.create_connection(sock.getsockname(), timeout=5) as client:
        assert client.recv(5) == b"hello"
    assert served.is_set()
    sock.close()
