"""`stratus all-in-one`: every role in one process (local mode), SQLite,
libvirt's test driver, the API on 127.0.0.1:8774 and the noVNC console
proxy on 127.0.0.1:6080.

Three processes in turn, so that the one that stays idle beside the
API's worker, gunicorn's master, holds little: a short-lived child
brings the database and the CA up to date and seeds them (it alone
loads Alembic and the seeding code), the master binds the sockets and
forks the worker, and the worker loads the roles and the API and serves
them. The master never loads the roles: it only restarts the worker."""
import json
import os
import signal
import socket
import sys
import traceback


def main(host, port, compute_hosts):
    # Local mode must be chosen before Celery reads its configuration.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ["STRATUS_API_PORT"] = str(port)
    os.environ["STRATUS_API_HOST"] = host
    # One compute host: a resize has nowhere else to go (devstack's choice).
    os.environ.setdefault("STRATUS_ALLOW_RESIZE_TO_SAME_HOST", "1")
    from stratus.config import get_settings, reset_settings
    from stratus.cmd.api import serve

    reset_settings()
    settings = get_settings()
    password, openrc = _in_child(_prepare)
    # Several hosts share the process, each with its own hypervisor
    # connection (on the test driver, each its own host): a cold migration
    # or a resize to another host has somewhere to go.
    compute_hosts = compute_hosts or [socket.gethostname()]
    console = _bind_console(settings)

    def start_in_worker():
        from stratus.cmd.worker import start_heartbeat
        from stratus.compute.service import start_compute
        from stratus.conductor.reaper import start_reaper

        start_compute(compute_hosts, settings.libvirt_uri)
        start_reaper()
        for role in ("conductor", "scheduler", "cert", "consoleauth"):
            start_heartbeat(role)
        if console:
            # In the worker, where the roles run: a console's token is
            # checked there in local mode, as any API request's work is.
            _serve_console(console, settings)

    url = settings.public_url or f"http://{host}:{port}"
    print(f"Stratus all-in-one: compute API at {url}/v2.1 "
          f"(compute host {', '.join(compute_hosts)}, database {settings.database_url})",
          flush=True)
    print(f"Identity at {url}/identity/v3: user admin, project admin, password {password}; "
          f"`source {openrc}` for the openstack client", flush=True)
    if console:
        print(f"Consoles at {settings.novncproxy_base_url} (noVNC proxy on "
              f"{settings.novncproxy_host}:{settings.novncproxy_port})", flush=True)
    serve(host, port, workers=1, threads=16, post_worker_init=start_in_worker,
          app_factory=_worker_app)


def _prepare():
    """The cloud's state before it serves: the schema, the CA, the seeded
    flavors, images and network, and the admin (password, openrc path)."""
    from stratus.common.celeryapp import load_roles
    from stratus.cert.tasks import manager_for as cert_manager
    from stratus.cmd import identity, local, seed

    local.sync_schema()
    load_roles()
    cert_manager().init_host()  # the cert role's CA exists from the first start
    seed.seed_flavors()
    seed.seed_image()
    seed.seed_guest_image()
    seed.seed_network()
    password, openrc = identity.bootstrap()  # the admin user, project and openrc
    local.reset_engine()  # its SQLite connections closed before the child ends
    return password, str(openrc)


def _worker_app():
    """The API's WSGI app with every role registered (local mode: an
    eager apply_async finds each task in-process); built in the worker."""
    from stratus.api import create_app
    from stratus.common.celeryapp import load_roles

    load_roles()
    return create_app()


def _in_child(work):
    """work()'s result (JSON), computed in a forked child, so that what it
    loads and allocates ends with the child. Exits as the child did when
    it failed (the child printed why, as the command would have)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its status is all that returns
        os.close(read)
        os._exit(_run_child(work, write))
    os.close(write)
    # A ^C reaches the child too: it reports it, and this process ends as it did.
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with os.fdopen(read, "rb") as pipe:
            reply = pipe.read()
        _, status = os.waitpid(pid, 0)
    finally:
        signal.signal(signal.SIGINT, interrupt)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(code if code > 0 else 1)
    return json.loads(reply)


def _run_child(work, write):
    import click

    from stratus.common.exception import StratusException

    try:
        with os.fdopen(write, "wb") as pipe:
            pipe.write(json.dumps(work()).encode())
        return 0
    except StratusException as exc:  # as the `stratus` command reports one
        click.ClickException(exc.message).show()
        return 1
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    except BaseException:  # noqa: BLE001 - the child must end here, never unwind into click
        traceback.print_exc()
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def _bind_console(settings):
    """The console proxy's listening socket, made here, before gunicorn
    forks the API's worker: bound once, inherited by the worker (and by a
    worker gunicorn starts again), closed when this process ends. None,
    with a warning, without noVNC's pages; exits when the port is taken."""
    from stratus.novncproxy import listener

    try:
        return listener.listen(settings.novncproxy_host, settings.novncproxy_port,
                               settings.novnc_web)
    except listener.NoPages as exc:
        print(f"Warning: no consoles: {exc}", file=sys.stderr, flush=True)
        return None
    except OSError as exc:
        sys.exit(f"The console proxy cannot listen on {settings.novncproxy_host}:"
                 f"{settings.novncproxy_port} ({exc.strerror}): set STRATUS_NOVNCPROXY_PORT "
                 "(and STRATUS_NOVNCPROXY_BASE_URL) to a free port")


def _serve_console(sock, settings):
    """Serve the inherited console socket from a thread of this worker,
    the proxy loaded at the first connection (an idle all-in-one does
    not hold websockify and numpy)."""
    from stratus.novncproxy import listener

    def serve(sock):
        from stratus.novncproxy import inprocess, server

        server.configure_logging(settings.log_level, inprocess.LOG.name)
        inprocess.ThreadedConsoleProxy(sock, settings.novnc_web).serve_forever()

    listener.serve_from_first_connection(sock, serve)
