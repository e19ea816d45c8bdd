"""The quota under concurrency, through the whole distributed stack: the
conductor counts and inserts under the project's lock in PostgreSQL, so
concurrent boots can never overrun a limit together."""
import collections
import concurrent.futures

OVER = "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances"


def _boot(cloud, flavor, index):
    body = {"server": {"name": f"quota-{index}", "flavorRef": flavor,
                       "imageRef": cloud.image_id, "networks": "none",
                       "availability_zone": "nova"}}
    return cloud.api("POST", "/servers", json=body)


def test_twenty_concurrent_boots_against_a_quota_of_ten(clean, flavor):
    cloud = clean
    project = cloud.admin_project()
    reply = cloud.api("PUT", f"/os-quota-sets/{project}", json={"quota_set": {"instances": 10}})
    assert reply.status_code == 200 and reply.json()["quota_set"]["instances"] == 10
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
            replies = list(pool.map(lambda i: _boot(cloud, flavor, i), range(20)))
        codes = collections.Counter(r.status_code for r in replies)
        assert codes == {202: 10, 403: 10}, [r.text for r in replies if r.status_code != 202]
        for refused in (r for r in replies if r.status_code == 403):
            assert refused.json() == {"forbidden": {"message": OVER, "code": 403}}
        ids = [r.json()["server"]["id"] for r in replies if r.status_code == 202]
        servers = cloud.wait_final(ids)
        assert collections.Counter(s["status"] for s in servers.values()) == {"ACTIVE": 10}
        assert len(cloud.api("GET", "/servers").json()["servers"]) == 10
        assert cloud.sql("SELECT count(*) FROM instances WHERE deleted = 0 AND project_id = %s",
                         project) == [(10,)]
        used = cloud.api("GET", f"/os-quota-sets/{project}/detail").json()["quota_set"]
        assert used["instances"] == {"in_use": 10, "limit": 10, "reserved": 0}
        limits = cloud.api("GET", "/limits").json()["limits"]["absolute"]
        assert (limits["totalInstancesUsed"], limits["maxTotalInstances"]) == (10, 10)
    finally:
        cloud.delete_all()
        assert cloud.api("DELETE", f"/os-quota-sets/{project}").status_code == 202
