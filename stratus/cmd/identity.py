"""Identity for operators: `stratus bootstrap` (the admin user, project
and role, as keystone-manage bootstrap), `stratus openrc`, and users,
projects and role assignments. Everything goes through the conductor's
code, run in this process on the configured database (operator mode).

The admin's password is STRATUS_ADMIN_PASSWORD, else one generated on the
first bootstrap and kept in the state dir (mode 0600), so that restarts
keep it; the openrc written beside it holds it too."""
import os
import shlex
import sys
from pathlib import Path

import click

from stratus.config import get_settings
from stratus.cmd.stored import stored_secret
from stratus.common.context import ROLES, get_admin_context

ADMIN = "admin"


def admin_password():
    return stored_secret("admin-password", get_settings().admin_password)


def auth_url():
    """The identity endpoint clients are given: the public URL, else the
    API's bind address (the loopback for a wildcard bind)."""
    settings = get_settings()
    if settings.public_url:
        return f"{settings.public_url.rstrip('/')}/identity/v3"
    host = "127.0.0.1" if settings.api_host in ("", "0.0.0.0", "::") else settings.api_host
    return f"http://{host}:{settings.api_port}/identity/v3"


def openrc(password):
    """An openrc for the admin, as the clients read it (they negotiate
    the compute microversion themselves)."""
    values = {"OS_AUTH_URL": auth_url(), "OS_IDENTITY_API_VERSION": "3",
              "OS_USERNAME": ADMIN, "OS_PASSWORD": password, "OS_PROJECT_NAME": ADMIN,
              "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default"}
    lines = "".join(f"export {key}={shlex.quote(value)}\n" for key, value in values.items())
    return lines + _clients_path()


def _clients_path():
    """The PATH line that finds the clients installed beside Stratus (`make
    run` puts python-openstackclient in its virtualenv), so that `openstack`
    works right after `source var/openrc`; nothing where they are not."""
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "openstack").exists():
        return ""
    return f'export PATH={shlex.quote(str(bin_dir))}:"$PATH"\n'


def write_openrc(password):
    """Write `<state_dir>/openrc` (mode 0600: it holds the password)."""
    path = get_settings().state_dir / "openrc"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(openrc(password))
    return path


def bootstrap():
    """Ensure the admin user, project and role, straight in the database
    (as `db sync`: before any conductor runs); returns (password, openrc
    path)."""
    from stratus.conductor import identity

    password = admin_password()
    identity.bootstrap(password)
    return password, write_openrc(password)


def _conductor():
    from stratus.cmd.main import _local_conductor
    from stratus.conductor.rpcapi import ConductorAPI

    _local_conductor()
    return ConductorAPI()


@click.command("bootstrap")
def bootstrap_command():
    """Create (or reset) the admin user and project; write the openrc."""
    password, path = bootstrap()
    click.echo(f"admin user `{ADMIN}` in project `{ADMIN}`, password {password}")
    click.echo(f"openrc written to {path}")


@click.command("openrc")
def openrc_command():
    """Print the admin's openrc (source it to use the openstack client)."""
    settings = get_settings()
    if not (settings.admin_password or (settings.state_dir / "admin-password").exists()):
        raise click.ClickException("no admin password here: run `stratus bootstrap` first, "
                                   "or set STRATUS_ADMIN_PASSWORD")
    click.echo(openrc(admin_password()), nl=False)


@click.group()
def user():
    """Users."""


@user.command("create")
@click.argument("name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--project", default=None, help="Default project (name or id).")
@click.option("--role", type=click.Choice(ROLES), default=None,
              help="Role on --project (member when --project is given).")
def user_create(name, password, project, role):
    """Create a user (with --project, a member of it)."""
    if role and not project:
        raise click.UsageError("--role needs --project")
    conductor = _conductor()
    made = conductor.user_create(get_admin_context(), {"name": name, "password": password,
                                                       "default_project": project})
    if project:
        conductor.role_assignment_create(get_admin_context(), made.id, project, role or "member")
    click.echo(f"user {made.name} id={made.id}"
               + (f" role {role or 'member'} on {project}" if project else ""))


@user.command("disable")
@click.argument("name")
def user_disable(name):
    """Disable a user (name or id): no new token, and its tokens stop
    working within STRATUS_TOKEN_RECHECK_SECONDS."""
    made = _conductor().user_update(get_admin_context(), name, {"enabled": False})
    click.echo(f"user {made.name} id={made.id} disabled")


@user.command("enable")
@click.argument("name")
def user_enable(name):
    """Enable a disabled user (name or id) again."""
    made = _conductor().user_update(get_admin_context(), name, {"enabled": True})
    click.echo(f"user {made.name} id={made.id} enabled")


@user.command("delete")
@click.argument("name")
def user_delete(name):
    """Delete a user (name or id) and its role assignments."""
    _conductor().user_delete(get_admin_context(), name)
    click.echo(f"user {name} deleted")


@click.group()
def project():
    """Projects."""


@project.command("create")
@click.argument("name")
@click.option("--description", default=None)
def project_create(name, description):
    """Create a project."""
    made = _conductor().project_create(get_admin_context(), {"name": name,
                                                             "description": description})
    click.echo(f"project {made.name} id={made.id}")


@project.command("delete")
@click.argument("name")
def project_delete(name):
    """Delete a project (name or id) and the roles granted on it; refused
    while it has servers."""
    _conductor().project_delete(get_admin_context(), name)
    click.echo(f"project {name} deleted")


@click.group()
def role():
    """Role assignments (roles: admin > manager > member > reader; service)."""


@role.command("add")
@click.option("--user", "user_ref", required=True, help="User name or id.")
@click.option("--project", "project_ref", required=True, help="Project name or id.")
@click.argument("role_name", metavar="ROLE", type=click.Choice(ROLES))
def role_add(user_ref, project_ref, role_name):
    """Grant a user a role on a project."""
    _conductor().role_assignment_create(get_admin_context(), user_ref, project_ref, role_name)
    click.echo(f"role {role_name} granted to {user_ref} on {project_ref}")


@role.command("remove")
@click.option("--user", "user_ref", required=True, help="User name or id.")
@click.option("--project", "project_ref", required=True, help="Project name or id.")
@click.argument("role_name", metavar="ROLE", type=click.Choice(ROLES))
def role_remove(user_ref, project_ref, role_name):
    """Take back a role granted on a project (the user's tokens on it stop
    working within STRATUS_TOKEN_RECHECK_SECONDS)."""
    _conductor().role_assignment_delete(get_admin_context(), user_ref, project_ref, role_name)
    click.echo(f"role {role_name} removed from {user_ref} on {project_ref}")


COMMANDS = (bootstrap_command, openrc_command, user, project, role)
