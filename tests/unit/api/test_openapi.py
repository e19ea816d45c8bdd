"""The OpenAPI document states the errors and constraints the API enforces
(the live check is tests/functional/test_openapi_contract.py)."""
import re

import pytest
from marshmallow import ValidationError

from stratus.api.schemas.fields import NovaBoolean, NovaInteger


@pytest.fixture
def document(anonymous):
    reply = anonymous.get("/openapi.json")
    assert reply.status_code == 200
    return reply.get_json()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "delete", "patch"):
                yield path, method, operation


def _fault_of(document, ref):
    response = document["components"]["responses"][ref["$ref"].rsplit("/", 1)[-1]]
    if "content" not in response:
        return None
    schema = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    return document["components"]["schemas"][schema]


def test_no_catch_all_response_and_every_error_has_its_fault_shape(document):
    for path, method, operation in _operations(document):
        assert "default" not in operation["responses"], (method, path)
        for status, ref in operation["responses"].items():
            if int(status) < 400:
                continue
            fault = _fault_of(document, ref)
            if fault is None:  # gunicorn's own answer, before the app
                assert status == "414"
                continue
            [key] = fault["required"]
            if path.startswith("/identity"):
                assert key == "error"
            elif path.startswith("/network"):
                assert key == "NeutronError"
            else:
                assert int(status) in fault["properties"][key]["properties"]["code"]["enum"]


@pytest.mark.parametrize("path, method, present, absent", [
    ("/v2.1/servers/{server_id}", "get", {"401", "403", "404", "406", "503", "504"},
     {"409", "413"}),
    ("/v2.1/servers", "post", {"400", "401", "403", "409", "413", "503"}, {"404"}),
    ("/v2.1/servers/{server_id}/action", "post", {"404", "409", "410", "501"}, set()),
    ("/identity/v3/auth/tokens", "post", {"400", "401", "503"}, {"403", "404", "406"}),
    ("/v2.1", "get", set(), {"401", "403", "503"}),
    ("/network", "get", set(), {"401", "403", "503"}),
    ("/network/v2.0/networks", "post", {"400", "401", "403", "404", "409", "413"}, {"406"}),
    ("/network/v2.0/ports/{resource_id}", "put", {"400", "403", "404", "409"}, {"406"}),
    ("/v2.1/os-security-groups/{group_id}", "delete", {"400", "404", "406"}, set()),
])
def test_errors_follow_what_an_operation_is(document, path, method, present, absent):
    responses = set(document["paths"][path][method]["responses"])
    assert present <= responses and not absent & responses, sorted(responses)


def test_versioned_operations_take_the_microversion_header(document):
    for path, method, operation in _operations(document):
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert ("OpenStack-API-Version" in names) == path.startswith("/v2.1/"), (method, path)


def test_retry_after_and_www_authenticate_are_documented(document):
    responses = document["components"]["responses"]
    assert "Retry-After" in responses["Error503"]["headers"]
    assert "WWW-Authenticate" in responses["Error401"]["headers"]


def test_constraints_come_from_the_validating_schemas(document):
    schemas = document["components"]["schemas"]
    ram = schemas["FlavorCreate"]["properties"]["ram"]["anyOf"][0]
    assert (ram["minimum"], ram["maximum"]) == (1, 2147483647)
    assert set(schemas["FlavorCreate"]["required"]) == {"name", "ram", "vcpus", "disk"}
    name = schemas["ServerCreate"]["properties"]["name"]
    assert (name["minLength"], name["maxLength"]) == (1, 255) and name["pattern"]
    assert schemas["ServerCreate"]["additionalProperties"] is False
    action = schemas["ActionBody"]
    assert (action["minProperties"], action["maxProperties"]) == (1, 1)
    assert "reboot" in action["properties"] and not action["additionalProperties"]


@pytest.mark.parametrize("value, accepted", [
    (5, True), ("5", True), (" 7 ", True), ("²", False), ("-1", False), (True, False),
    ("1" * 20, False),
])
def test_an_integer_field_and_its_document_agree(value, accepted):
    field = NovaInteger(minimum=0, maximum=10 ** 19)
    number, text = field.json_schema()["anyOf"]
    documented = (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and len(value) <= text["maxLength"]
        and re.search(text["pattern"], value) is not None)
    assert documented == accepted
    try:
        field.deserialize(value)
        loaded = True
    except ValidationError:
        loaded = False
    assert loaded == accepted


@pytest.mark.parametrize("value", ["TRUE", " off ", "y", "No"])
def test_boolean_spellings_match_the_documented_pattern(value):
    text = NovaBoolean().json_schema()["anyOf"][1]
    assert re.search(text["pattern"], value)
    assert NovaBoolean().deserialize(value) in (True, False)
