"""Bad input over real HTTP: Nova's error shape, never a 500."""
import pytest

CASES = [
    ("missing flavorRef", {"server": {"name": "x", "imageRef": "IMAGE"}}, 400, "badRequest"),
    ("unknown flavor", {"server": {"name": "x", "flavorRef": "nope", "imageRef": "IMAGE"}},
     400, "badRequest"),
    ("unknown image", {"server": {"name": "x", "flavorRef": "FLAVOR",
                                  "imageRef": "7d4a1e38-0000-4000-8000-000000000000"}},
     400, "badRequest"),
    ("name of wrong type", {"server": {"name": 5, "flavorRef": "FLAVOR", "imageRef": "IMAGE"}},
     400, "badRequest"),
    ("server not an object", {"server": ["x"]}, 400, "badRequest"),
    ("no server key", {"flavor": {}}, 400, "badRequest"),
]


@pytest.mark.parametrize("label,body,code,key", CASES, ids=[c[0] for c in CASES])
def test_bad_server_bodies(cloud, flavor, label, body, code, key):
    server = dict(body.get("server", {})) if isinstance(body.get("server"), dict) else None
    if server is not None:
        server = {k: (cloud.image_id if v == "IMAGE" else flavor if v == "FLAVOR" else v)
                  for k, v in server.items()}
        body = {"server": server}
    reply = cloud.api("POST", "/servers", json=body)
    assert reply.status_code == code, reply.text
    assert reply.json()[key]["code"] == code and reply.json()[key]["message"]


def test_bad_json_and_unknown_ids(cloud):
    reply = cloud.api("POST", "/servers", data="{not json",
                      headers={"Content-Type": "application/json"})
    assert reply.status_code == 400 and "badRequest" in reply.json()
    reply = cloud.api("GET", "/servers/not-a-uuid-but-a-name")
    assert reply.status_code == 404 and reply.json()["itemNotFound"]["code"] == 404
    reply = cloud.api("GET", "/flavors/does-not-exist")
    assert reply.status_code == 404 and "itemNotFound" in reply.json()
    reply = cloud.api("GET", "/flavors", headers={"OpenStack-API-Version": "compute 2.97"})
    assert reply.status_code == 406
