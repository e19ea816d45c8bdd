"""`stratus scheduler`: picks and claims hosts; reads through the conductor."""
from stratus.common.celeryapp import load_roles
from stratus.cmd.worker import run_worker, start_heartbeat


def main(concurrency):
    load_roles("scheduler")
    start_heartbeat("scheduler")
    run_worker("scheduler", ["scheduler"], concurrency)
