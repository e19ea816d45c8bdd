"""`stratus conductor`: the only process kind that opens the database."""
from stratus.common.celeryapp import load_roles
from stratus.cmd.worker import run_worker, start_heartbeat


def main(concurrency):
    from stratus.conductor.reaper import start_reaper

    load_roles("conductor")
    start_reaper()
    start_heartbeat("conductor")
    run_worker("conductor", ["conductor"], concurrency)
