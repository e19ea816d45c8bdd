"""The `stratus` operator commands in local mode."""
import hashlib

import pytest
from click.testing import CliRunner

from stratus import config
from stratus.cmd.main import cli


@pytest.fixture
def store(db, tmp_path, monkeypatch):
    monkeypatch.setenv("STRATUS_IMAGES_PATH", str(tmp_path / "images"))
    config.reset_settings()
    yield tmp_path / "images"
    monkeypatch.undo()
    config.reset_settings()


def test_flavor_create_and_a_duplicate_is_a_clear_error(store):
    runner = CliRunner()
    args = ["flavor", "create", "m1.cli", "--vcpus", "1", "--ram", "64", "--disk", "1"]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0 and "flavor m1.cli" in first.output
    again = runner.invoke(cli, args)
    assert again.exit_code == 1
    assert "Error: Flavor with name m1.cli already exists." in again.output
    assert "Traceback" not in again.output


def test_image_import_copies_the_file_and_records_its_checksum(store, tmp_path):
    data = bytes(range(256)) * 9000
    source = tmp_path / "disk.raw"
    source.write_bytes(data)
    out = CliRunner().invoke(cli, ["image", "import", str(source), "--name", "cli-image"])
    assert out.exit_code == 0, out.output
    image_id = out.output.split("id=")[1].split()[0]
    from stratus.conductor.rpcapi import ConductorAPI
    from stratus.common.context import get_admin_context

    image = ConductorAPI().image_get(get_admin_context(), image_id)
    assert image.checksum == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert (store / image.file).read_bytes() == data and image.size == len(data)


def test_flavor_delete_by_name_or_id(store):
    runner = CliRunner()
    for name, flavorid in (("del.a", "901"), ("del.b", "902")):
        made = runner.invoke(cli, ["flavor", "create", name, "--vcpus", "1", "--ram", "64",
                                   "--id", flavorid, "--private"])
        assert made.exit_code == 0, made.output
    by_name = runner.invoke(cli, ["flavor", "delete", "del.a"])
    assert by_name.exit_code == 0 and by_name.output == "flavor del.a id=901 deleted\n"
    by_id = runner.invoke(cli, ["flavor", "delete", "902"])
    assert by_id.exit_code == 0 and by_id.output == "flavor del.b id=902 deleted\n"
    again = runner.invoke(cli, ["flavor", "delete", "del.a"])
    assert again.exit_code == 1 and "Error: Flavor del.a could not be found." in again.output


def test_operator_commands_run_in_process_whatever_the_eager_setting(store, no_broker,
                                                                     tmp_path):
    """As nova-manage: the conductor's code runs in the command's own
    process on the configured database, with no worker to answer."""
    source = tmp_path / "disk.raw"
    source.write_bytes(b"\0" * 512)
    for args in (["project", "create", "eager-off"],
                 ["user", "create", "u-off", "--password", "pw", "--project", "eager-off"],
                 ["role", "add", "--user", "u-off", "--project", "eager-off", "reader"],
                 ["role", "remove", "--user", "u-off", "--project", "eager-off", "reader"],
                 ["user", "disable", "u-off"], ["user", "delete", "u-off"],
                 ["project", "delete", "eager-off"],
                 ["flavor", "create", "f.off", "--vcpus", "1", "--ram", "64"],
                 ["flavor", "delete", "f.off"], ["image", "import", str(source)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, (args, result.output, result.exception)


def test_role_commands_keep_the_configured_mode(no_broker, monkeypatch):
    from stratus.cmd import conductor, worker
    from stratus.conductor import reaper

    ran = []
    monkeypatch.setattr(reaper, "start_reaper", lambda: None)
    monkeypatch.setattr(conductor, "start_heartbeat", lambda role: None)
    monkeypatch.setattr(conductor, "run_worker", lambda *args: ran.append(
        no_broker.conf.task_always_eager))
    assert CliRunner().invoke(cli, ["conductor"]).exit_code == 0
    assert ran == [False]
    assert worker  # run_worker is looked up in stratus.cmd.conductor


def test_network_create_shared_with_a_subnet_and_a_bad_range(store):
    from stratus.common.context import get_admin_context
    from stratus.conductor.rpcapi import ConductorAPI

    runner = CliRunner()
    made = runner.invoke(cli, ["network", "create", "ops-net", "--cidr", "10.77.0.0/24"])
    assert made.exit_code == 0, made.output
    assert "network ops-net id=" in made.output
    assert "subnet=10.77.0.0/24 gateway=10.77.0.1 shared=True" in made.output
    (found,) = ConductorAPI().net_list(get_admin_context(), "network", {"name": "ops-net"})
    assert found["shared"] and len(found["subnets"]) == 1
    bad = runner.invoke(cli, ["network", "create", "bad", "--cidr", "10.77.300.0/24"])
    assert bad.exit_code != 0 and "is not a valid IP subnet" in bad.output
    assert ConductorAPI().net_list(get_admin_context(), "network", {"name": "bad"}) == []
