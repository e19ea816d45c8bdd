"""A compute host on the eager stack (the real conductor on SQLite,
libvirt's test driver, every role in this process) and a boot through
the conductor: for the compute tests that need real records."""
import contextlib
import uuid

from stratus import config
from stratus.compute import service
from stratus.conductor.rpcapi import ComputeTaskAPI, ConductorAPI


@contextlib.contextmanager
def one_host(host, tmp_path, monkeypatch):
    """Serve `host` in this process with its own image store (holding
    img.raw) and instance directory; yields its ComputeManager."""
    monkeypatch.setenv("STRATUS_IMAGES_PATH", str(tmp_path / "images"))
    monkeypatch.setenv("STRATUS_INSTANCES_PATH", str(tmp_path / "instances"))
    config.reset_settings()
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "img.raw").write_bytes(b"\0" * 512)
    reporters = service.start_compute([host], "test:///default", periodic=False)
    try:
        yield reporters[0].manager
    finally:
        service.stop_compute(reporters)
        monkeypatch.undo()
        config.reset_settings()


def boot(ctxt, **spec_extra):
    """Record and build one 1-vCPU instance of ctxt's project from img.raw
    (`spec_extra` added to its request spec); returns (the instance as
    built, its request spec)."""
    api = ConductorAPI()
    flavor = api.flavor_create(ctxt, {"name": "f1", "vcpus": 1, "memory_mb": 64, "root_gb": 1})
    image = api.image_create(ctxt, {"name": "img", "file": "img.raw"})
    values = {"uuid": str(uuid.uuid4()), "display_name": "vm", "project_id": ctxt.project_id,
              "user_id": ctxt.user_id, "vm_state": "building", "task_state": "scheduling",
              "flavor": flavor, "vcpus": 1, "memory_mb": 64, "root_gb": 1,
              "image_ref": image.id}
    spec = {"flavor": flavor, "image": image, "project_id": ctxt.project_id,
            "user_id": ctxt.user_id, "num_instances": 1, **spec_extra}
    ComputeTaskAPI().create_instance(ctxt, values, spec)
    return api.instance_get(ctxt, values["uuid"]), spec
