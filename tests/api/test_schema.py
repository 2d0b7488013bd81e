"""OpenAPI schema, offline docs, authentication and JSON-only errors."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from rest_framework.authtoken.models import Token


@pytest.mark.django_db
def test_schema_validates_without_warnings(tmp_path):
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "s.yaml"),
    )
    text = (tmp_path / "s.yaml").read_text()
    for path in ("/api/v1/activities/{id}/history/", "/api/v1/reports/{id}/download/"):
        assert path in text


@pytest.mark.django_db
def test_schema_is_served_to_anyone():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/v1/transfers/" in response.json()["paths"]


@pytest.mark.django_db
def test_docs_load_without_internet(settings):
    # Production serves collected files; here whitenoise finds them in the apps.
    settings.WHITENOISE_USE_FINDERS = True
    client = Client()
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"(src|href)=\"https?://", html), (
        "docs must not fetch from the internet"
    )
    assets = re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html)
    assert any("swagger-ui" in a for a in assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset


@pytest.mark.django_db
def test_anonymous_is_401_with_a_token_challenge():
    response = Client().get("/api/v1/activities/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"]


@pytest.mark.django_db
def test_session_login_works_too(dpo_client):
    assert dpo_client.get("/api/v1/activities/").status_code == 200


@pytest.mark.django_db
def test_wrong_token_is_401():
    response = Client().get("/api/v1/activities/", HTTP_AUTHORIZATION="Token nope")
    assert response.status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing/", "/api/v1/activities", "/api/v2/", "/api/v1/activities/abc/"],
)
def test_unknown_api_paths_are_json_404(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."} or response.json()["detail"]


@pytest.mark.django_db
def test_unexpected_errors_are_json_500(api, monkeypatch):
    from inventory import views

    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.VendorViewSet, "get_queryset", broken)
    response = api.get("/api/v1/vendors/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}


@pytest.mark.django_db
def test_create_token_prints_the_users_key(dpo, capsys):
    call_command("create_token", "dpo")
    key = capsys.readouterr().out.strip()
    assert Token.objects.get(user=dpo).key == key
    call_command("create_token", "dpo")
    assert capsys.readouterr().out.strip() == key
    call_command("create_token", "dpo", "--reset")
    assert capsys.readouterr().out.strip() != key


@pytest.mark.django_db
def test_create_token_for_unknown_user_exits_2():
    with pytest.raises(CommandError) as error:
        call_command("create_token", "nobody")
    assert error.value.returncode == 2
