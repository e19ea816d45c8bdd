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
