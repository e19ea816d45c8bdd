"""`stratus scheduler`: picks and claims hosts; reads through the conductor."""
from workers.celeryapp import load_roles
from workers.cmd.worker import run_worker


def main(concurrency):
    load_roles("scheduler")
    run_worker("scheduler", ["scheduler"], concurrency)
