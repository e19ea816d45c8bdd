"""The `stratus` command. Each subcommand imports its role lazily so that
a compute or scheduler process never loads the ORM."""
import click


class _Group(click.Group):
    """Errors the roles report (a duplicate flavor, a missing image...) end
    the command with their message, not a traceback."""

    def invoke(self, ctx):
        from stratus.common.exception import StratusException

        try:
            return super().invoke(ctx)
        except StratusException as exc:
            raise click.ClickException(exc.message) from None


@click.group(cls=_Group)
def cli():
    """Stratus: a Nova-shaped compute control plane on Celery."""


@cli.command("all-in-one")
@click.option("--host", default="127.0.0.1", show_default=True, help="API bind address.")
@click.option("--port", default=None, type=int, help="API port (default STRATUS_API_PORT or 8774).")
@click.option("--compute-host", "compute_hosts", multiple=True,
              help="Name of a local compute host (repeat for several; default: this "
                   "machine's name).")
def all_in_one(host, port, compute_hosts):
    """Every role in one process: SQLite, eager tasks, libvirt test driver."""
    from stratus.cmd import allinone
    from stratus.config import get_settings

    allinone.main(host, port or get_settings().api_port, list(compute_hosts))


@cli.command()
@click.option("--host", default=None, help="Bind address (default STRATUS_API_HOST).")
@click.option("--port", default=None, type=int, help="Port (default STRATUS_API_PORT).")
@click.option("--workers", default=2, show_default=True)
@click.option("--threads", default=16, show_default=True)
def api(host, port, workers, threads):
    """Serve the Nova compute API with gunicorn."""
    from stratus.config import get_settings
    from stratus.cmd.api import serve

    settings = get_settings()
    serve(host or settings.api_host, port or settings.api_port, workers, threads)


# A conductor's threads never wait on another role (conductor RPC 1.15),
# only on the database: a few keep one core busy, and more contend for the
# GIL (bench/boot.py --conductor-threads: 6 passed 8 to 10 % more boots
# than 16 on two cores).
@cli.command()
@click.option("--concurrency", default=6, show_default=True,
              help="pool threads (each holds at most one database connection)")
def conductor(concurrency):
    """Run a conductor worker (queue `conductor`)."""
    from stratus.cmd import conductor as cmd

    cmd.main(concurrency)


@cli.command()
@click.option("--concurrency", default=8, show_default=True)
def scheduler(concurrency):
    """Run a scheduler worker (queue `scheduler`)."""
    from stratus.cmd import scheduler as cmd

    cmd.main(concurrency)


@cli.command()
@click.option("--host", "hosts", multiple=True, required=True,
              help="Compute host name; repeat to serve several hosts in one process.")
@click.option("--uri", default=None, help="libvirt URI (default STRATUS_LIBVIRT_URI).")
@click.option("--concurrency", default=8, show_default=True)
def compute(hosts, uri, concurrency):
    """Run a compute worker (queue `compute.<host>` for each host)."""
    from stratus.cmd import compute as cmd
    from stratus.config import get_settings

    cmd.main(list(hosts), uri or get_settings().libvirt_uri, concurrency)


_FLOWER_OPEN_PAGES = ("/metrics", "/healthcheck")


def _flower_monitoring_behind_auth():
    """Flower exempts /metrics and /healthcheck from its authentication (for
    scrapers) and has no option to stop that; task names and queue figures
    are for the operators, so those pages ask for the same credentials
    (401 without). Edits Flower's route table in place, once; refuses to
    go on if the table no longer has those pages."""
    from flower import urls

    found = 0
    for index, route in enumerate(urls.handlers):
        if isinstance(route, tuple) and route[0] in _FLOWER_OPEN_PAGES:
            urls.handlers[index] = (route[0], _authenticated(route[1])) + route[2:]
            found += 1
    if found != len(_FLOWER_OPEN_PAGES):
        raise click.ClickException("Flower's /metrics and /healthcheck routes not found")


def _authenticated(handler):
    """`handler` behind Flower's own check (basic auth: 401 without it)."""
    import tornado.web

    if getattr(handler, "stratus_authenticated", False):
        return handler

    class Authenticated(handler):
        stratus_authenticated = True

        @tornado.web.authenticated
        def prepare(self):
            return super().prepare()

    Authenticated.__name__ = handler.__name__
    return Authenticated


@cli.command()
@click.option("--address", default="127.0.0.1", show_default=True)
@click.option("--port", default=None, type=int, help="Port (default STRATUS_FLOWER_PORT).")
def flower(address, port):
    """Serve Flower (basic auth from STRATUS_FLOWER_USER/PASSWORD; without a
    password, one generated once and kept in the state dir)."""
    from stratus.config import get_settings
    from stratus.common.celeryapp import app
    from stratus.cmd.stored import stored_secret

    settings = get_settings()
    password = stored_secret("flower-password", settings.flower_password)
    where = ("STRATUS_FLOWER_PASSWORD" if settings.flower_password
             else settings.state_dir / "flower-password")
    click.echo(f"Flower: user {settings.flower_user}, password from {where}", err=True)
    _flower_monitoring_behind_auth()
    app.start(argv=["flower", f"--address={address}", f"--port={port or settings.flower_port}",
                    f"--basic-auth={settings.flower_user}:{password}"])


@cli.group()
def db():
    """Database management."""


@db.command("sync")
def db_sync():
    """Apply every Alembic migration to the configured database."""
    from stratus.cmd import local

    local.sync_schema()
    click.echo("database is at the latest revision")


def _local_conductor():
    """Operator commands run the conductor's code in this process, on the
    configured database (see stratus.cmd.local.operator_mode)."""
    from stratus.cmd import local

    local.operator_mode("conductor")


@cli.group()
def flavor():
    """Flavors."""


@flavor.command("create")
@click.argument("name")
@click.option("--vcpus", type=click.IntRange(1), required=True)
@click.option("--ram", type=click.IntRange(1), required=True, help="MB")
@click.option("--disk", type=click.IntRange(0), default=0, show_default=True, help="GB")
@click.option("--id", "flavorid", default=None)
@click.option("--private", is_flag=True)
def flavor_create(name, vcpus, ram, disk, flavorid, private):
    """Create a flavor."""
    from stratus.cmd import seed

    _local_conductor()
    made = seed.create_flavor(name, vcpus, ram, disk, flavorid, is_public=not private)
    click.echo(f"flavor {made.name} id={made.flavorid} vcpus={made.vcpus} ram={made.memory_mb} disk={made.root_gb}")


@flavor.command("delete")
@click.argument("ref", metavar="NAME_OR_ID")
def flavor_delete(ref):
    """Delete a flavor (servers keep their copy of it, as in Nova)."""
    from stratus.cmd import seed

    _local_conductor()
    gone = seed.delete_flavor(ref)
    click.echo(f"flavor {gone.name} id={gone.flavorid} deleted")


@cli.group()
def image():
    """Images."""


@image.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--name", default=None)
def image_import(path, name):
    """Copy an image file into the image store and register it."""
    from stratus.cmd import seed

    _local_conductor()
    made = seed.import_image(path, name)
    click.echo(f"image {made.name} id={made.id} format={made.disk_format} size={made.size}")


@cli.group()
def network():
    """Networks (the network service's; `openstack network ...` does more)."""


@network.command("create")
@click.argument("name")
@click.option("--cidr", required=True, help="the subnet's range, e.g. 10.42.0.0/24")
@click.option("--private", is_flag=True, help="the admin project's only (default: shared)")
def network_create(name, cidr, private):
    """Create a network with one subnet; shared by every project unless --private."""
    from stratus.cmd import seed

    _local_conductor()
    made, subnet = seed.create_network(name, cidr, shared=not private)
    click.echo(f"network {made['name']} id={made['id']} subnet={subnet['cidr']} "
               f"gateway={subnet['gateway_ip']} shared={made['shared']}")


# the cert role
@cli.command()
@click.option("--concurrency", default=4, show_default=True)
def cert(concurrency):
    """Run a cert worker (queue `cert`); creates the CA on its first start."""
    from stratus.cmd import cert as cmd

    cmd.main(concurrency)


@cli.group()
def ca():
    """The cloud's certificate authority (kept by the cert role)."""


@ca.command("init")
def ca_init():
    """Create the CA under STRATUS_CA_PATH, unless it exists."""
    from cryptography.hazmat.primitives import hashes

    from stratus.config import get_settings
    from stratus.cmd import cert as cmd

    authority, created = cmd.init_ca()
    certificate = authority.certificate
    click.echo(f"{'created' if created else 'existing'} CA {certificate.subject.rfc4514_string()}"
               f" in {get_settings().ca_path}"
               f" sha256={certificate.fingerprint(hashes.SHA256()).hex(':')}")


@ca.command("revoke")
@click.option("--user", "user_id", default=None, help="Revoke this user's certificates.")
@click.option("--project", "project_id", default=None,
              help="Revoke this project's certificates (with --user: that user's there).")
def ca_revoke(user_id, project_id):
    """Revoke certificates by user, by project, or both."""
    from stratus.cmd import cert as cmd

    if not (user_id or project_id):
        raise click.UsageError("name a --user, a --project or both")
    serials = cmd.revoke(user_id, project_id)
    click.echo(f"revoked {len(serials)} certificate(s)")
    for serial in serials:
        click.echo(serial)


@ca.command("crl")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the PEM to this file instead of printing it.")
def ca_crl(output):
    """The CRL: every revoked certificate, signed by the CA now."""
    from stratus.cmd import cert as cmd

    pem = cmd.crl()
    if output is None:
        click.echo(pem, nl=False)
        return
    with open(output, "w", encoding="ascii") as handle:
        handle.write(pem)
    click.echo(f"CRL written to {output}")


# consoles
@cli.command()
@click.option("--concurrency", default=8, show_default=True)
def consoleauth(concurrency):
    """Run a consoleauth worker (queue `consoleauth`): console tokens."""
    from stratus.cmd import consoleauth as cmd

    cmd.main(concurrency)


@cli.command()
@click.option("--host", default=None, help="Bind address (default STRATUS_NOVNCPROXY_HOST).")
@click.option("--port", default=None, type=int, help="Port (default STRATUS_NOVNCPROXY_PORT).")
@click.option("--web", default=None, type=click.Path(exists=True, file_okay=False),
              help="noVNC's pages (default STRATUS_NOVNC_WEB, /usr/share/novnc).")
def novncproxy(host, port, web):
    """Serve noVNC and proxy its websockets to the guests' VNC servers."""
    from stratus.novncproxy import server

    server.main(host, port, web)


# identity: bootstrap, openrc, users, projects, roles
def _identity_commands():
    from stratus.cmd import identity

    for command in identity.COMMANDS:
        cli.add_command(command)


_identity_commands()
