"""`stratus flower` on the same broker shows every role's tasks, and only
with its credentials (its /metrics and /healthcheck pages too)."""
import requests

from tests.functional.cloud import free_port, wait_for


def test_flower_shows_every_role(clean, flavor):
    cloud = clean
    port = free_port()
    cloud.start("flower", "flower", "--port", str(port),
                env={"STRATUS_FLOWER_USER": "ops", "STRATUS_FLOWER_PASSWORD": "s3cret"})
    url = f"http://127.0.0.1:{port}"
    try:
        cloud.wait_ready(lambda: _status(f"{url}/api/workers") == 401, 60, "flower")
        auth = ("ops", "s3cret")
        # Flower leaves these two open by default; here they ask like the rest.
        for page in ("/metrics", "/healthcheck"):
            assert _status(f"{url}{page}") == 401
            assert _status(f"{url}{page}", auth=("ops", "wrong")) == 401
            assert _status(f"{url}{page}", auth=auth) == 200

        def roles_seen():
            # Flower turns task events on within a few seconds of starting.
            sid = cloud.boot("watched", flavor, cloud.image_id)
            cloud.wait_final([sid])
            tasks = requests.get(f"{url}/api/tasks", auth=auth, timeout=10).json()
            names = {t["name"].split(".")[0] for t in tasks.values() if t.get("name")}
            return {"conductor", "scheduler", "compute"} <= names

        wait_for(roles_seen, 60, 2, "Flower to see conductor, scheduler and compute tasks")
    finally:
        cloud.stop("flower")


def _status(url, auth=None):
    try:
        return requests.get(url, auth=auth, timeout=2).status_code
    except requests.RequestException:
        return None
