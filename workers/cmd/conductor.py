"""`stratus conductor`: the only process kind that opens the database."""
from workers.celeryapp import load_roles
from workers.cmd.worker import run_worker


def main(concurrency):
    load_roles("conductor")
    run_worker("conductor", ["conductor"], concurrency)
