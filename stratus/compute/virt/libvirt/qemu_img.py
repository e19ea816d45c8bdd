"""qemu-img, run for the driver: every failure a HypervisorError with
qemu-img's own words."""
import subprocess

from stratus.common import exception


def run(*args):
    """`qemu-img ARGS...`; raises HypervisorError when it fails or is missing."""
    try:
        subprocess.run(["qemu-img", *map(str, args)], check=True, capture_output=True,
                       text=True)
    except subprocess.CalledProcessError as exc:
        raise exception.HypervisorError(reason=exc.stderr.strip() or str(exc)) from exc
    except OSError as exc:
        raise exception.HypervisorError(reason=f"qemu-img: {exc}") from exc


def create_overlay(base, base_format, path):
    """A qcow2 disk at `path` backed by the image file `base`; kept if it
    is already there (an earlier spawn of the same instance made it)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    run("create", "-f", "qcow2", "-F", base_format, "-b", base, path)


def flatten(source, target, source_format="qcow2", target_format="qcow2"):
    """Convert `source` (with its backing chain) into a standalone
    `target`. The source's format is given, never probed (a raw file
    could pass for another). -U: QEMU keeps its lock on the disk of a
    paused guest; nothing writes to it while it is read."""
    target.parent.mkdir(parents=True, exist_ok=True)
    run("convert", "-U", "-f", source_format, "-O", target_format, source, target)
