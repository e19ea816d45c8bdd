"""`stratus bootstrap`, `openrc`, `user`, `project` and `role`, and
`stratus flower`'s binding and credentials, in local mode."""
import stat
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stratus import config
from stratus.common import exception
from stratus.cmd.main import cli
from stratus.conductor.rpcapi import ConductorAPI
from stratus.common.context import get_admin_context


@pytest.fixture
def state(db, roles, tmp_path, monkeypatch):
    monkeypatch.setenv("STRATUS_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("STRATUS_ADMIN_PASSWORD", raising=False)
    config.reset_settings()
    yield tmp_path
    monkeypatch.undo()
    config.reset_settings()


def run(*args):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def authenticate(user, password, project):
    return ConductorAPI().user_authenticate(get_admin_context(), {"name": user}, password,
                                            {"name": project})


def test_bootstrap_keeps_a_generated_password_and_writes_the_openrc(state):
    before = CliRunner().invoke(cli, ["openrc"])
    assert before.exit_code == 1 and "run `stratus bootstrap` first" in before.output
    run("bootstrap")
    password = (state / "admin-password").read_text().strip()
    assert stat.S_IMODE((state / "admin-password").stat().st_mode) == 0o600
    run("bootstrap")  # a restart: same password
    assert (state / "admin-password").read_text().strip() == password
    assert authenticate("admin", password, "admin")["roles"] == ["admin", "manager", "member", "reader"]
    openrc = (state / "openrc").read_text()
    assert stat.S_IMODE((state / "openrc").stat().st_mode) == 0o600
    assert f"export OS_PASSWORD={password}\n" in openrc
    for line in ("OS_AUTH_URL=http://127.0.0.1:8774/identity/v3", "OS_USERNAME=admin",
                 "OS_PROJECT_NAME=admin", "OS_USER_DOMAIN_NAME=Default",
                 "OS_PROJECT_DOMAIN_NAME=Default", "OS_IDENTITY_API_VERSION=3"):
        assert f"export {line}\n" in openrc
    # `openstack` right after `source var/openrc`: the virtualenv's clients.
    bin_dir = Path(sys.executable).parent
    assert (f'export PATH={bin_dir}:"$PATH"\n' in openrc) == (bin_dir / "openstack").exists()
    assert run("openrc") == openrc


def test_a_configured_admin_password_wins(state, monkeypatch):
    run("bootstrap")
    monkeypatch.setenv("STRATUS_ADMIN_PASSWORD", "it's s3cret")
    monkeypatch.setenv("STRATUS_PUBLIC_URL", "https://cloud.example:8774/")
    config.reset_settings()
    run("bootstrap")
    assert authenticate("admin", "it's s3cret", "admin")
    assert "OS_PASSWORD='it'\"'\"'s s3cret'" in run("openrc")
    assert "OS_AUTH_URL=https://cloud.example:8774/identity/v3\n" in run("openrc")


def test_users_projects_and_roles(state):
    assert run("project", "create", "demo").startswith("project demo id=")
    assert "role member on demo" in run("user", "create", "alice", "--password", "pw",
                                        "--project", "demo")
    assert authenticate("alice", "pw", "demo")["roles"] == ["member", "reader"]
    run("project", "create", "ops")
    run("role", "add", "--user", "alice", "--project", "ops", "admin")
    assert authenticate("alice", "pw", "ops")["roles"] == ["admin", "manager", "member", "reader"]
    with pytest.raises(exception.NotAuthenticated):
        authenticate("alice", "wrong", "demo")


def test_mistakes_end_with_a_message(state):
    run("project", "create", "demo")
    again = CliRunner().invoke(cli, ["project", "create", "demo"])
    assert again.exit_code == 1 and "Duplicate entry found with name demo" in again.output
    missing = CliRunner().invoke(cli, ["role", "add", "--user", "nobody", "--project", "demo",
                                       "reader"])
    assert missing.exit_code == 1 and "Could not find user: nobody." in missing.output
    assert "Traceback" not in missing.output
    bad_role = CliRunner().invoke(cli, ["role", "add", "--user", "x", "--project", "demo", "owner"])
    assert bad_role.exit_code == 2


def test_flower_binds_the_loopback_with_basic_auth(state, monkeypatch):
    from stratus.common.celeryapp import app

    started = []
    monkeypatch.setattr(app, "start", lambda argv: started.append(argv))
    run("flower")
    password = (state / "flower-password").read_text().strip()
    assert "--address=127.0.0.1" in started[0]
    assert f"--basic-auth=admin:{password}" in started[0] and len(password) >= 16
    monkeypatch.setenv("STRATUS_FLOWER_PASSWORD", "configured")
    config.reset_settings()
    run("flower")
    assert "--basic-auth=admin:configured" in started[1]


def fails(*args):
    """Run a command that must end with an error message; returns the output."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output


def roles_now(user, project):
    from stratus.conductor.db import identity as db
    from stratus.conductor.db.identity_models import Project, User
    from stratus.conductor.db.session import transaction

    with transaction() as session:
        user_row = db.find_by_name_or_id(session, User, user)
        project_row = db.find_by_name_or_id(session, Project, project)
    return ConductorAPI().token_roles(get_admin_context(), user_row.id, project_row.id)


def test_user_disable_enable_and_delete(state):
    run("project", "create", "demo")
    run("user", "create", "alice", "--password", "pw", "--project", "demo")
    assert run("user", "disable", "alice").startswith("user alice id=")
    with pytest.raises(exception.NotAuthenticated):
        authenticate("alice", "pw", "demo")
    assert roles_now("alice", "demo") == []
    assert run("user", "enable", "alice").endswith("enabled\n")
    assert authenticate("alice", "pw", "demo")["roles"] == ["member", "reader"]
    assert run("user", "delete", "alice") == "user alice deleted\n"
    assert "Could not find user: alice." in fails("user", "delete", "alice")
    assert "Could not find user: bob." in fails("user", "disable", "bob")


def test_role_remove_mirrors_role_add(state):
    run("project", "create", "demo")
    run("user", "create", "alice", "--password", "pw", "--project", "demo")
    run("role", "add", "--user", "alice", "--project", "demo", "admin")
    assert run("role", "remove", "--user", "alice", "--project", "demo", "admin") == \
        "role admin removed from alice on demo\n"
    assert roles_now("alice", "demo") == ["member", "reader"]
    assert "Could not find role assignment" in fails(
        "role", "remove", "--user", "alice", "--project", "demo", "admin")
    assert CliRunner().invoke(cli, ["role", "remove", "--user", "alice", "--project", "demo",
                                    "owner"]).exit_code == 2
    run("role", "remove", "--user", "alice", "--project", "demo", "member")
    assert roles_now("alice", "demo") == []


def test_project_delete_refused_while_it_has_servers(state):
    import uuid

    from stratus.conductor.db.models import Instance
    from stratus.conductor.db.session import transaction

    made = run("project", "create", "demo")
    project_id = made.split("id=")[1].strip()
    with transaction() as session:
        session.add(Instance(uuid=str(uuid.uuid4()), display_name="vm", project_id=project_id,
                             user_id="u", vm_state="active"))
    out = fails("project", "delete", "demo")
    assert f"Project demo ({project_id}) still has 1 server(s); delete them first." in out
    with transaction() as session:
        session.query(Instance).delete()
    assert run("project", "delete", project_id) == f"project {project_id} deleted\n"
    assert "Could not find project: demo." in fails("project", "delete", "demo")
