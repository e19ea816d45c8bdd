"""Version discovery and microversion negotiation."""
import pytest

from tests.unit.api.conftest import mv


@pytest.mark.parametrize("path", ["/v2.1", "/v2.1/"])
def test_version_document_needs_no_token(client, path):
    reply = client.get(path)
    assert reply.status_code == 200
    version = reply.get_json()["version"]
    assert (version["id"], version["status"]) == ("v2.1", "CURRENT")
    assert (version["version"], version["min_version"]) == ("2.96", "2.1")
    assert {"rel": "self", "href": "http://localhost/v2.1/"} in version["links"]


def test_versions_list_as_nova(anonymous):
    versions = anonymous.get("/").get_json()["versions"]
    assert versions == [
        {"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "",
         "updated": "2011-01-21T11:33:21Z",
         "links": [{"rel": "self", "href": "http://localhost/v2/"}]},
        {"id": "v2.1", "status": "CURRENT", "version": "2.96", "min_version": "2.1",
         "updated": "2013-07-23T11:33:21Z",
         "links": [{"rel": "self", "href": "http://localhost/v2.1/"}]}]


def test_version_document_as_nova(anonymous):
    version = anonymous.get("/v2.1").get_json()["version"]
    assert version["links"] == [
        {"rel": "self", "href": "http://localhost/v2.1/"},
        {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}]
    assert version["media-types"] == [
        {"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}]
    assert version["updated"] == "2013-07-23T11:33:21Z"


def test_every_listed_self_link_answers_its_document(anonymous):
    """As Tempest's test_get_version_details: follow each self link."""
    for listed in anonymous.get("/").get_json()["versions"]:
        path = listed["links"][0]["href"].removeprefix("http://localhost")
        shown = anonymous.get(path)
        assert shown.status_code == 200, path
        assert shown.get_json()["version"]["id"] == listed["id"]
    assert anonymous.get("/v2").get_json()["version"]["media-types"] == [
        {"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2"}]


def test_documents_are_not_shared_between_replies(anonymous):
    anonymous.get("/v2.1")
    assert len(anonymous.get("/v2.1").get_json()["version"]["links"]) == 2


def test_self_link_uses_configured_public_url():
    from stratus.api import create_app

    client = create_app({"TESTING": True, "PUBLIC_URL": "http://cloud:8774/"}).test_client()
    assert client.get("/v2.1").get_json()["version"]["links"][0]["href"] == "http://cloud:8774/v2.1/"


def test_request_ids_on_every_reply(client):
    reply = client.get("/v2.1")
    request_id = reply.headers["x-openstack-request-id"]
    assert request_id.startswith("req-")
    assert reply.headers["x-compute-request-id"] == request_id
    assert client.get("/nowhere").headers["x-openstack-request-id"].startswith("req-")


@pytest.mark.parametrize("headers, expected", [
    ({}, "2.1"),
    (mv("2.60"), "2.60"),
    (mv("latest"), "2.96"),
    ({"X-OpenStack-Nova-API-Version": "2.47"}, "2.47"),
    ({"OpenStack-API-Version": "image 2.5, compute 2.30"}, "2.30"),
    # The new header wins over the legacy one, as in Nova.
    ({**mv("2.10"), "X-OpenStack-Nova-API-Version": "2.20"}, "2.10"),
])
def test_microversion_echoed(client, fake, headers, expected):
    reply = client.get("/v2.1/os-networks", headers=headers)
    assert reply.status_code == 200
    assert reply.headers["OpenStack-API-Version"] == f"compute {expected}"
    assert reply.headers["X-OpenStack-Nova-API-Version"] == expected
    assert "OpenStack-API-Version" in reply.headers["Vary"]
    assert "X-OpenStack-Nova-API-Version" in reply.headers["Vary"]


@pytest.mark.parametrize("version", ["2.97", "3.0", "1.1", "2.0"])
def test_microversion_out_of_range_is_406(client, version):
    reply = client.get("/v2.1/os-networks", headers=mv(version))
    assert reply.status_code == 406
    assert reply.get_json()["notAcceptable"]["code"] == 406
    assert "is not supported by the API" in reply.get_json()["notAcceptable"]["message"]


@pytest.mark.parametrize("version", ["2.x", "two", "2.01", "2"])
def test_malformed_microversion_is_400(client, version):
    reply = client.get("/v2.1/os-networks", headers={"X-OpenStack-Nova-API-Version": version})
    assert reply.status_code == 400
    assert "invalid format" in reply.get_json()["badRequest"]["message"]


def test_version_document_ignores_microversion(client):
    assert client.get("/v2.1", headers=mv("9.9")).status_code == 200


def test_openapi_and_swagger_ui_are_served(client):
    spec = client.get("/openapi.json").get_json()
    assert "/v2.1/servers" in spec["paths"]
    summary = spec["paths"]["/v2.1/servers"]["post"]["summary"]
    assert summary.startswith("Create")
    assert client.get("/swagger-ui").status_code == 200


def test_swagger_ui_and_its_assets_are_served_locally(client):
    page = client.get("/swagger-ui")
    assert page.status_code == 200 and b"/swagger-ui-assets/swagger-ui-bundle.js" in page.data
    assert client.get("/swagger-ui-assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/openapi.json").json["info"]["title"] == "Stratus compute API"


def test_self_link_uses_stratus_public_url(monkeypatch):
    from stratus import config
    from stratus.api import create_app

    monkeypatch.setenv("STRATUS_PUBLIC_URL", "https://compute.example:443")
    config.reset_settings()
    try:
        client = create_app({"TESTING": True}).test_client()
        href = client.get("/v2.1").get_json()["version"]["links"][0]["href"]
        assert href == "https://compute.example:443/v2.1/"
    finally:
        monkeypatch.undo()
        config.reset_settings()
