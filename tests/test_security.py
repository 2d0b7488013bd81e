"""Brute force, abuse and hardening: login lockout, API throttling, password
rules, production start-up, session length."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from inventory.management.commands.create_demo_users import DEMO_USERS, demo_password
from inventory.roles import DPO, SALES
from tests.api.conftest import token_client
from tests.factories import make_customer, make_user
from tests.test_settings import run

LOGIN = "/admin/login/?next=/admin/"
RIGHT = "a-long-enough-passphrase"


def login(client, password, address="10.0.0.1"):
    return client.post(
        LOGIN,
        {"username": "dpo", "password": password},
        REMOTE_ADDR=address,
    )


@pytest.fixture
def dpo_with_password(db):
    user = make_user(DPO, username="dpo")
    user.set_password(RIGHT)
    user.save()
    return user


def test_admin_login_is_locked_after_five_wrong_passwords(dpo_with_password):
    client = Client()
    codes = [login(client, "wrong").status_code for _ in range(5)]
    assert codes == [200] * 4 + [429]

    locked = login(client, RIGHT)

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out for this username.
    assert login(Client(), RIGHT, address="10.0.0.2").status_code == 302


def test_dpo_lifts_a_lockout(dpo_with_password):
    client = Client()
    for _ in range(5):
        login(client, "wrong")
    call_command("axes_reset_username", "dpo", stdout=open("/dev/null", "w"))
    assert login(client, RIGHT).status_code == 302


def test_dpo_sees_and_deletes_lockouts_in_the_admin(dpo_client, auditor_client):
    assert dpo_client.get("/admin/axes/accessattempt/").status_code == 200
    assert auditor_client.get("/admin/axes/accessattempt/").status_code == 403


@pytest.mark.django_db
def test_report_requests_are_throttled_with_retry_after():
    sales = make_user(SALES, username="sales")
    make_customer(name="Acme GmbH")
    api = token_client(sales)
    body = {"kind": "dpa-annex", "customer": "Acme GmbH"}
    codes = [
        api.post("/api/v1/reports/", body, format="json").status_code for _ in range(31)
    ]
    assert codes[:30] == [202] * 30
    assert codes[30] == 429
    refused = api.post("/api/v1/reports/", body, format="json")
    assert int(refused["Retry-After"]) > 0
    assert "throttled" in refused.json()["detail"].lower()
    # Reading runs is not the scarce resource.
    assert api.get("/api/v1/reports/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password", ["sales-sales", "short-pw-1", "123456789012345", "password1234"]
)
def test_weak_passwords_are_refused(password):
    user = make_user(SALES, username="sales")
    with pytest.raises(ValidationError):
        validate_password(password, user)


@pytest.mark.django_db
@pytest.mark.parametrize("username", DEMO_USERS)
def test_demo_passwords_pass_the_validators(username):
    validate_password(demo_password(username), make_user(username=username))


def test_session_lasts_a_working_day(settings):
    assert settings.SESSION_COOKIE_AGE == 10 * 3600


STRONG = "Xk2p9-QmZ7_tR4vW8yB1nC6dF3hJ5sL0aG-eU2iO9kP7rT4wE1qY8uI3oA6zS5x"


@pytest.mark.parametrize("hosts", ["*", "inventory.example.com,*", "*.example.com"])
def test_wildcard_allowed_hosts_stop_production_start_up(hosts):
    result = run({"DEBUG": "False", "SECRET_KEY": STRONG, "ALLOWED_HOSTS": hosts})
    assert result.returncode == 2
    assert "ALLOWED_HOSTS may not be a wildcard" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "a" * 45 + "bcdef",  # 5 distinct characters, long enough
        "abcdefghij" * 6,  # a repeated pattern
        "0123456789abcdef" * 4,
    ],
)
def test_low_entropy_secret_key_stops_production_start_up(key):
    result = run({"DEBUG": "False", "SECRET_KEY": key})
    assert result.returncode == 2
    assert "SECRET_KEY is too weak" in result.stderr


def test_strong_secret_key_starts():
    result = run({"DEBUG": "False", "SECRET_KEY": STRONG})
    assert result.returncode == 0, result.stderr
