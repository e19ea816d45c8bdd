"""`stratus compute --host NAME`: one worker per hypervisor (or several
hosts in one process, for scale tests), consuming `compute.<host>`."""
from stratus.compute.service import forbid_database

# Nova's DISABLE_DB_ACCESS: compute must never reach the database.
forbid_database()

from stratus.config.celeryconfig import COMPUTE_QUEUE  # noqa: E402
from stratus.common.celeryapp import load_roles  # noqa: E402
from stratus.cmd.worker import run_worker  # noqa: E402


def main(hosts, uri, concurrency):
    from stratus.compute.service import start_compute

    load_roles("compute")
    start_compute(hosts, uri)
    run_worker("compute", [COMPUTE_QUEUE.format(host=h) for h in hosts], concurrency,
               name="+".join(hosts))
