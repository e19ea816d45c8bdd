"""`stratus consoleauth`: keeps console tokens, through the conductor."""
from stratus.common.celeryapp import load_roles
from stratus.cmd.worker import run_worker, start_heartbeat


def main(concurrency):
    load_roles("consoleauth")
    start_heartbeat("consoleauth")
    run_worker("consoleauth", ["consoleauth"], concurrency)
