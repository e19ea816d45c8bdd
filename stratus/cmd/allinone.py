"""`stratus all-in-one`: every role in one process (local mode), SQLite,
libvirt's test driver, the API on 127.0.0.1:8774 and the noVNC console
proxy on 127.0.0.1:6080."""
import os
import socket
import sys


def main(host, port, compute_hosts):
    # Local mode must be chosen before Celery reads its configuration.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ["STRATUS_API_PORT"] = str(port)
    os.environ["STRATUS_API_HOST"] = host
    # One compute host: a resize has nowhere else to go (devstack's choice).
    os.environ.setdefault("STRATUS_ALLOW_RESIZE_TO_SAME_HOST", "1")
    from stratus.config import get_settings, reset_settings

    reset_settings()
    from stratus.common.celeryapp import load_roles
    from stratus.cert.tasks import manager_for as cert_manager
    from stratus.cmd import identity, local, seed
    from stratus.cmd.api import serve
    from stratus.novncproxy import inprocess

    settings = get_settings()
    local.sync_schema()
    load_roles()
    cert_manager().init_host()  # the cert role's CA exists from the first start
    seed.seed_flavors()
    seed.seed_image()
    seed.seed_guest_image()
    seed.seed_network()
    password, openrc = identity.bootstrap()  # the admin user, project and openrc
    # Several hosts share the process, each with its own hypervisor
    # connection (on the test driver, each its own host): a cold migration
    # or a resize to another host has somewhere to go.
    compute_hosts = compute_hosts or [socket.gethostname()]
    console = _bind_console(settings)

    def start_in_worker():
        from stratus.cmd.worker import start_heartbeat
        from stratus.compute.service import start_compute
        from stratus.conductor.reaper import start_reaper

        local.reset_engine()  # never share SQLite connections across fork
        start_compute(compute_hosts, settings.libvirt_uri)
        start_reaper()
        for role in ("conductor", "scheduler", "cert", "consoleauth"):
            start_heartbeat(role)
        if console:
            # In the worker, where the roles run: a console's token is
            # checked there in local mode, as any API request's work is.
            inprocess.serve_in_background(console)

    url = settings.public_url or f"http://{host}:{port}"
    print(f"Stratus all-in-one: compute API at {url}/v2.1 "
          f"(compute host {', '.join(compute_hosts)}, database {settings.database_url})",
          flush=True)
    print(f"Identity at {url}/identity/v3: user admin, project admin, password {password}; "
          f"`source {openrc}` for the openstack client", flush=True)
    if console:
        print(f"Consoles at {settings.novncproxy_base_url} (noVNC proxy on "
              f"{settings.novncproxy_host}:{settings.novncproxy_port})", flush=True)
    serve(host, port, workers=1, threads=16, post_worker_init=start_in_worker)


def _bind_console(settings):
    """The console proxy's listening socket, made here, before gunicorn
    forks the API's worker: bound once, inherited by the worker (and by a
    worker gunicorn starts again), closed when this process ends. None,
    with a warning, without noVNC's pages; exits when the port is taken."""
    from stratus.novncproxy import inprocess, server

    server.configure_logging(settings.log_level, inprocess.LOG.name)
    try:
        return inprocess.bind(settings.novncproxy_host, settings.novncproxy_port,
                              settings.novnc_web)
    except inprocess.NoPages as exc:
        print(f"Warning: no consoles: {exc}", file=sys.stderr, flush=True)
        return None
    except OSError as exc:
        sys.exit(f"The console proxy cannot listen on {settings.novncproxy_host}:"
                 f"{settings.novncproxy_port} ({exc.strerror}): set STRATUS_NOVNCPROXY_PORT "
                 "(and STRATUS_NOVNCPROXY_BASE_URL) to a free port")
