"""Every role's process records its service, so os-services lists it."""
import time

from stratus.cmd.worker import start_heartbeat
from stratus.conductor.rpcapi import ConductorAPI


def test_a_role_heartbeat_records_its_service(db, roles, ctxt, monkeypatch):
    monkeypatch.setenv("STRATUS_REPORT_INTERVAL", "0.01")
    from stratus import config

    config.reset_settings()
    beat = start_heartbeat("scheduler")
    try:
        time.sleep(0.2)
    finally:
        beat.stop(timeout=5)
        config.reset_settings()
    services = ConductorAPI().service_get_all(ctxt, binary="nova-scheduler")
    assert [(s.binary, s.topic, s.up) for s in services] == [("nova-scheduler", "scheduler",
                                                              True)]
    assert services[0].report_count >= 2
