"""The OpenAPI schema tells the whole truth: errors with their real bodies,
ETag / If-Match / If-None-Match, binary downloads, Location, integer ids,
paging bounds, undeclared query parameters refused, and texts for newcomers."""

import tomllib
from collections import Counter
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from rest_framework.throttling import UserRateThrottle

from tests.api.resources import RESOURCES
from tests.factories import make_activity, make_transfer, make_vendor

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
VERSIONED = (
    "entities",
    "customers",
    "features",
    "data-subject-categories",
    "data-categories",
    "systems",
    "vendors",
    "security-measures",
    "activities",
    "countries",
    "transfers",
    "tias",
)


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def body_schema(schema, response, media="application/json"):
    """The declared schema of a response body, refs resolved one level."""
    declared = response["content"][media]["schema"]
    name = declared["$ref"].rsplit("/", 1)[-1]
    return schema["components"]["schemas"][name]


def assert_matches(schema, path, method, response):
    """The real response's status is declared, and its body fits."""
    declared = schema["paths"][path][method]["responses"]
    code = str(response.status_code)
    assert code in declared, f"{method.upper()} {path} answers {code} undeclared"
    if declared[code].get("content"):
        OAS30Validator(body_schema(schema, declared[code])).validate(response.json())
    return declared[code]


# -- the document ---------------------------------------------------------------


def test_schema_is_valid_openapi_with_unique_operation_ids(schema):
    validate(schema)
    ids = Counter(op["operationId"] for _, _, op in operations(schema))
    assert len(ids) > 100
    assert [i for i, n in ids.items() if n > 1] == []


def test_every_operation_has_a_summary_and_a_description(schema):
    for path, method, op in operations(schema):
        assert op.get("summary"), (method, path)
        assert op.get("description"), (method, path)
        assert "CONTRACT" not in op["description"]
        for code, response in op["responses"].items():
            assert response.get("description"), (method, path, code)
    assert schema["paths"]["/api/v1/activities/"]["get"]["summary"] == (
        "List processing activities"
    )
    assert schema["paths"]["/api/v1/vendors/{id}/"]["patch"]["summary"] == (
        "Change a vendor"
    )


def test_tags_servers_security_and_version(schema):
    tags = {t["name"]: t["description"] for t in schema["tags"]}
    used = {tag for _, _, op in operations(schema) for tag in op["tags"]}
    assert used <= set(tags)
    assert all(tags.values())
    pyproject = tomllib.loads(Path("pyproject.toml").read_text())
    assert schema["info"]["version"] == pyproject["project"]["version"]
    assert schema["servers"][0]["url"] == "http://testserver"
    assert {"tokenAuth": []} in schema["security"]


def test_component_names_read_well(schema):
    names = set(schema["components"]["schemas"])
    assert {"ReportRequest", "ReportKindEnum", "VersionTypeEnum"} <= names
    assert not {"KindEnum", "TypeEnum", "ResponseEnum"} & names
    assert not {n for n in names if n.endswith("RequestRequest")}
    assert "BlankEnum" not in names
    assert "BlankEnum" not in str(schema)
    paging = schema["components"]["schemas"]["PaginatedVendorList"]
    assert "example.org" not in str(paging)


# -- errors ---------------------------------------------------------------------


def test_every_operation_declares_the_errors_it_can_answer(schema):
    for path, method, op in operations(schema):
        codes = set(op["responses"])
        assert {"400", "401", "403"} <= codes, (method, path)
        if "{" in path or method == "get":
            assert "404" in codes, (method, path)
        if method in ("post", "put", "patch"):
            assert {"413", "415"} <= codes, (method, path)
        resource = path.split("/")[3]
        if resource in VERSIONED and method != "get" and "{id}" in path:
            assert {"409", "412"} <= codes, (method, path)
            body = body_schema(schema, op["responses"]["412"])
            assert set(body["required"]) == {
                "detail",
                "changed_by",
                "changed_at",
                "etag",
            }


def test_real_error_bodies_match_their_declarations(schema, api, role_client):
    activity = make_activity()
    one = "/api/v1/activities/{id}/"
    url = f"/api/v1/activities/{activity.pk}/"

    bad = api.patch(url, {"lawful_basis": "handshake"}, format="json")
    assert bad.status_code == 400
    assert_matches(schema, one, "patch", bad)

    anonymous = role_client("anonymous").get(url)
    assert anonymous.status_code == 401
    assert_matches(schema, one, "get", anonymous)

    forbidden = role_client("auditor").patch(url, {"owner": "x"}, format="json")
    assert forbidden.status_code == 403
    assert_matches(schema, one, "patch", forbidden)

    missing = api.get("/api/v1/activities/999999/")
    assert missing.status_code == 404
    assert_matches(schema, one, "get", missing)

    etag = api.get(url)["ETag"]
    api.patch(url, {"owner": "Finance"}, format="json")
    stale = api.patch(url, {"owner": "Legal"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert_matches(schema, one, "patch", stale)
    assert stale.json()["etag"] == api.get(url)["ETag"]

    text = api.generic("POST", "/api/v1/activities/", "x", content_type="text/plain")
    assert text.status_code == 415
    assert_matches(schema, "/api/v1/activities/", "post", text)

    transfer = make_transfer()
    needed = api.delete(f"/api/v1/vendors/{transfer.importer_id}/")
    assert needed.status_code == 409
    assert_matches(schema, "/api/v1/vendors/{id}/", "delete", needed)


def test_a_field_named_detail_has_its_errors_as_a_list(schema, api):
    """A deletion run has a field ``detail``: its errors are a list like any
    field's, which the 400 body declares beside the unreadable body's text."""
    bad = api.post("/api/v1/deletion-runs/", {"detail": True}, format="json")
    assert bad.status_code == 400
    assert isinstance(bad.json()["detail"], list)
    assert_matches(schema, "/api/v1/deletion-runs/", "post", bad)

    unreadable = api.generic(
        "POST", "/api/v1/deletion-runs/", "{", content_type="application/json"
    )
    assert unreadable.status_code == 400
    assert isinstance(unreadable.json()["detail"], str)
    assert_matches(schema, "/api/v1/deletion-runs/", "post", unreadable)


# -- ETag, If-Match, If-None-Match ----------------------------------------------


def header_names(op, where="header"):
    return {p["name"] for p in op.get("parameters", []) if p["in"] == where}


def test_etag_and_conditional_headers_are_declared(schema):
    for resource in VERSIONED:
        item = schema["paths"][f"/api/v1/{resource}/{{id}}/"]
        assert "ETag" in item["get"]["responses"]["200"]["headers"]
        assert "If-None-Match" in header_names(item["get"])
        assert "304" in item["get"]["responses"]
        for method in ("put", "patch", "delete"):
            assert {"If-Match", "X-Change-Reason"} <= header_names(item[method])
        for method in ("put", "patch"):
            assert "ETag" in item[method]["responses"]["200"]["headers"]
        create = schema["paths"][f"/api/v1/{resource}/"]["post"]["responses"]["201"]
        assert {"ETag", "Location"} <= set(create["headers"])


def test_if_none_match_with_the_current_etag_is_304(api):
    vendor = make_vendor()
    url = f"/api/v1/vendors/{vendor.pk}/"
    etag = api.get(url)["ETag"]

    same = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert same.status_code == 304
    assert same["ETag"] == etag
    assert same.content == b""

    api.patch(url, {"service": "Hosting"}, format="json")
    changed = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["service"] == "Hosting"


# -- downloads ------------------------------------------------------------------


def test_downloads_are_binary_and_format_is_gone(schema, api):
    op = schema["paths"]["/api/v1/reports/{id}/download/"]["get"]
    content = op["responses"]["200"]["content"]
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    for media in (xlsx, "application/octet-stream"):
        assert content[media]["schema"] == {"type": "string", "format": "binary"}
    for path, method, op in operations(schema):
        assert "format" not in header_names(op, "query"), (method, path)
    response = api.get("/api/v1/vendors/?format=json")
    assert response.status_code == 400
    assert "format" in response.json()


# -- 201 Location, ids, paging, unknown query parameters ------------------------


def test_create_answers_with_the_location_of_the_record(api):
    response = api.post(
        "/api/v1/vendors/",
        {"name": "Postmark", "role": "sub_processor", "country": "US"},
        format="json",
    )
    assert response.status_code == 201
    location = response["Location"]
    assert location == f"http://testserver/api/v1/vendors/{response.json()['id']}/"
    assert api.get(location).json()["name"] == "Postmark"


def test_ids_are_integers_and_page_size_is_bounded(schema):
    for path, method, op in operations(schema):
        for parameter in op.get("parameters", []):
            if parameter["in"] == "path" and not path.startswith("/api/v1/countries/"):
                assert parameter["schema"]["type"] == "integer", (method, path)
            if parameter["name"] == "page_size":
                assert parameter["schema"]["maximum"] == 500
                assert parameter["schema"]["minimum"] == 1


@pytest.mark.parametrize(
    "query,name",
    [
        ("rol=processor", "rol"),
        ("colour=blue", "colour"),
        ("role=processor&pagesize=5", "pagesize"),
    ],
)
def test_an_unknown_query_parameter_is_a_400_naming_it(api, query, name):
    make_activity(role="controller")
    response = api.get(f"/api/v1/activities/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [name]
    assert "role" in response.json()[name][0]


def test_declared_query_parameters_still_work(api):
    make_activity(role="controller")
    processor = make_activity(role="processor")
    response = api.get("/api/v1/activities/?role=processor&page_size=5&ordering=-id")
    assert response.status_code == 200
    assert [a["id"] for a in response.json()["results"]] == [processor.pk]
    history = api.get("/api/v1/activities/history/?deleted=0&page=1")
    assert history.status_code == 200
    assert api.get("/api/v1/findings/?severity=error").status_code == 200
    assert api.get(f"/api/v1/activities/{processor.pk}/?x=1").status_code == 400


class TwoPerMinute(UserRateThrottle):
    rate = "2/minute"


def test_a_throttled_api_declares_and_answers_429(monkeypatch, api):
    from inventory.views import VendorViewSet

    cache.clear()
    monkeypatch.setattr(VendorViewSet, "throttle_classes", [TwoPerMinute])
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "429" in schema["paths"]["/api/v1/vendors/"]["get"]["responses"]

    answers = [api.get("/api/v1/vendors/") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2]["Retry-After"]
    assert_matches(schema, "/api/v1/vendors/", "get", answers[2])
    cache.clear()


def test_examples_come_from_the_demo_and_fit_their_schemas(schema):
    schemas = schema["components"]["schemas"]
    activity = schemas["ProcessingActivity"]["example"]
    assert activity["name"] == "Account and workspace administration"
    assert schemas["VendorRequest"]["example"]["name"] == "Nimbus Cloud Inc."
    for component in schemas.values():
        if "example" in component:
            root = {**component, "components": {"schemas": schemas}}
            OAS30Validator(root).validate(component["example"])


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_every_create_answers_with_location_and_etag(api, resource):
    response = api.post(f"/api/v1/{resource.path}/", resource.payload(), format="json")
    assert response.status_code == 201, response.json()
    record = api.get(response["Location"])
    assert record.json() == response.json()
    assert record["ETag"] == response["ETag"]


@pytest.mark.parametrize(
    "query,media",
    [
        ("?format=json", "application/vnd.oai.openapi+json"),
        ("", "application/vnd.oai.openapi;"),
    ],
)
def test_schema_is_served_as_json_or_yaml(query, media):
    response = Client().get(f"/api/schema/{query}")
    assert response.status_code == 200
    assert (response["Content-Type"] + ";").startswith(media)


def test_an_error_not_about_one_field_is_still_an_object(schema, api):
    response = api.get("/api/v1/tias/?search=a%00b")
    assert response.status_code == 400
    assert response.json() == {"detail": "Null characters are not allowed."}
    assert_matches(schema, "/api/v1/tias/", "get", response)


# -- real bodies on the demo ----------------------------------------------------


def fits(schema, declared, body):
    """Validate a body against a declared schema, refs resolved through the
    whole document (nullable fields, empty choices and nested records)."""
    root = {**declared, "components": schema["components"]}
    OAS30Validator(root, format_checker=OAS30Validator.FORMAT_CHECKER).validate(body)


def readable_paths(schema):
    """Every GET path of the API that needs at most a record id."""
    for path, method, op in operations(schema):
        params = {p for p in path.split("/") if p.startswith("{")}
        if method == "get" and params <= {"{id}"} and path.startswith("/api/v1/"):
            yield path, op


def test_every_read_of_the_demo_matches_its_schema(schema, demo, api):
    """Each list of the demo, and the first record of each with its history,
    answers bodies that fit the schema exactly as a generated client reads
    them: a notice never sent has no sender (null), not an empty name."""
    checked = 0
    ids = {}
    for path, op in sorted(readable_paths(schema)):
        if "{id}" in path:
            continue
        response = api.get(path, HTTP_ACCEPT="application/json")
        if "application/json" not in response.get("Content-Type", ""):
            continue
        declared = op["responses"][str(response.status_code)]
        fits(schema, declared["content"]["application/json"]["schema"], response.json())
        results = (
            response.json().get("results") if response.status_code == 200 else None
        )
        if results and isinstance(results[0], dict) and "id" in results[0]:
            ids[path] = results[0]["id"]
        checked += 1
    for path, op in sorted(readable_paths(schema)):
        base = path.split("{id}")[0]
        if "{id}" not in path or base not in ids:
            continue
        response = api.get(path.replace("{id}", str(ids[base])))
        content = op["responses"][str(response.status_code)].get("content", {})
        if "application/json" in content:
            fits(schema, content["application/json"]["schema"], response.json())
            checked += 1
    assert checked > 40
    assert "/api/v1/notices/" in ids
