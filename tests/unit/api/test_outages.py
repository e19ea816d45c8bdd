"""An outage is a 503 in Nova's shape with Retry-After, never a 500: the
database or the broker out of reach. A call whose reply never came is a
504 that says its outcome is unknown (see test_policy)."""
from sqlalchemy.exc import IntegrityError

from stratus.common import exception
from tests.unit.api.conftest import FakeConductorAPI, act_as


def _unavailable(reply):
    assert reply.status_code == 503, reply.get_data(as_text=True)
    assert reply.headers["Retry-After"] == "5"
    return reply.get_json()


def test_a_database_out_of_reach_is_503_then_service_resumes(client, unreachable_database,
                                                              monkeypatch):
    assert _unavailable(client.get("/v2.1/servers"))["serviceUnavailable"]["message"] == \
        "The database cannot be reached: unable to open database file"  # for an admin
    act_as(monkeypatch, "u-member", "p-member", ["member"])
    body = _unavailable(client.get("/v2.1/servers"))
    assert body == {"serviceUnavailable": {
        "code": 503, "message": "The service is unavailable. Please try again later."}}
    unreachable_database()  # the database is back
    assert client.get("/v2.1/servers").status_code == 200


def test_the_identity_api_answers_an_outage_in_keystone_shape(anonymous, unreachable_database):
    auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"name": "Default"}, "password": "x"}}}}}
    body = _unavailable(anonymous.post("/identity/v3/auth/tokens", json=auth))
    assert body["error"]["code"] == 503 and body["error"]["title"] == "Service Unavailable"


def test_a_constraint_violation_in_a_conductor_transaction_stays_a_500(client, monkeypatch):
    from stratus.conductor import catalog

    def violated(*args, **kwargs):
        raise IntegrityError("SELECT", {}, Exception("duplicate key"))

    monkeypatch.setattr(catalog.catalog, "flavor_get_all", violated)
    reply = client.get("/v2.1/flavors")
    assert reply.status_code == 500 and "Retry-After" not in reply.headers
    assert list(reply.get_json()) == ["computeFault"]


def test_a_broker_out_of_reach_is_503_and_its_details_are_for_admins(client, fake, monkeypatch):
    def unsent(*args, **kwargs):
        raise exception.MessagingUnavailable(method="conductor.flavor_get_all",
                                             reason="Connection refused.")

    monkeypatch.setattr(FakeConductorAPI, "flavor_get_all", unsent)
    assert "conductor.flavor_get_all was not sent" in \
        _unavailable(client.get("/v2.1/flavors"))["serviceUnavailable"]["message"]
    act_as(monkeypatch, "u-member", "p-member", ["member"])
    assert _unavailable(client.get("/v2.1/flavors")) == {"serviceUnavailable": {
        "code": 503, "message": "The service is unavailable. Please try again later."}}
