"""A conductor with one pool thread still moves servers: no conductor
endpoint waits on another role (expose's waits=False), so the
scheduler's claim and the hosts' saves, which call back into the
conductor during a move, find that thread free. Before conductor RPC
1.15, migrate_server held it waiting for the scheduler, whose claim
then waited for it until the call timed out."""
import tempfile

import pytest

from tests.functional.brokers import session_broker
from tests.functional.cloud import Cloud
from tests.functional.conftest import HOST_SIZE

HOSTS = ("lone-a", "lone-b")
# A wait on itself would end in this, not in the default minute.
TIMEOUT = {"STRATUS_RPC_RESPONSE_TIMEOUT": "20"}


@pytest.fixture(scope="module")
def lone():
    """Its own cloud (broker, database, processes), its conductor on
    one thread."""
    with session_broker() as broker_env:
        cloud = Cloud(tempfile.mkdtemp(prefix="stratus-ft-lone-"))
        cloud.env.update(broker_env, **TIMEOUT)
        try:
            cloud.start_services(conductor=1, api_threads=4)
            for host in HOSTS:
                cloud.start_compute(host, env=HOST_SIZE)
            cloud.image_id = cloud.import_image()
            cloud.flavor = cloud.create_flavor("lone.small", 1, 64, 1)
            yield cloud
        finally:
            cloud.stop_all()
            cloud.drop_database()


def test_resize_refusal_migration_and_live_migration(lone):
    cloud = lone
    servers = [cloud.boot(f"lone-{n}", cloud.flavor, cloud.image_id) for n in range(2)]
    hosts = {sid: server["OS-EXT-SRV-ATTR:host"]
             for sid, server in cloud.wait_final(servers).items()}
    first, second = servers
    other = {HOSTS[0]: HOSTS[1], HOSTS[1]: HOSTS[0]}

    # No host has room: the scheduler's NoValidHost comes back to the
    # API's call from the continuation, and the server is as it was.
    huge = cloud.create_flavor("lone.huge", 64, 64, 1)
    reply = cloud.action(first, {"resize": {"flavorRef": huge}})
    assert reply.status_code == 400, reply.text
    assert reply.json()["badRequest"]["message"].startswith("No valid host was found.")
    assert cloud.wait_status(first, "ACTIVE")["OS-EXT-STS:task_state"] is None
    assert cloud.claims(first) == {hosts[first]: (1, 64)}

    reply = cloud.action(first, {"migrate": None})
    assert reply.status_code == 202, reply.text
    server = cloud.wait_status(first, "VERIFY_RESIZE")
    assert server["OS-EXT-SRV-ATTR:host"] == other[hosts[first]]
    assert cloud.action(first, {"confirmResize": None}).status_code == 204
    cloud.wait_status(first, "ACTIVE")

    reply = cloud.action(second, {"os-migrateLive": {"host": None, "block_migration": "auto"}},
                         "2.30")
    assert reply.status_code == 202, reply.text
    cloud.wait_ready(lambda: cloud.server(second)["OS-EXT-SRV-ATTR:host"]
                     == other[hosts[second]], 60, f"{second} on the other host")
    assert cloud.wait_status(second, "ACTIVE")["OS-EXT-STS:task_state"] is None
    [status] = cloud.sql("SELECT status FROM migrations WHERE instance_uuid = %s", second)
    assert status == ("completed",)
