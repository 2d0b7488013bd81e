import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

CHECK = [
    sys.executable,
    "-c",
    "import django; from django.conf import settings; "
    "settings.INSTALLED_APPS; print('ok')",
]


def run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    base["DJANGO_SETTINGS_MODULE"] = "kbinventory.settings"
    return subprocess.run(CHECK, env={**base, **env}, capture_output=True, text=True)


@pytest.mark.parametrize("value", ["yes", "1", "true", ""])
def test_non_boolean_debug_stops_start_up_with_one_line(value):
    result = run({"DEBUG": value, "SECRET_KEY": "x" * 50})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "DEBUG must be True or False" in result.stderr


def test_missing_secret_key_outside_debug_stops_start_up():
    result = run({"DEBUG": "False"})
    assert result.returncode == 2
    assert "SECRET_KEY is required" in result.stderr


def test_debug_runs_without_secret_key():
    result = run({"DEBUG": "True"})
    assert result.returncode == 0, result.stderr


ROOT = Path(__file__).resolve().parent.parent
STRONG = secrets.token_urlsafe(50)


def production_env() -> dict[str, str]:
    """The environment README "Running at scale" documents (.env.example),
    with a freshly generated SECRET_KEY."""
    env = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    return {**env, "SECRET_KEY": STRONG}


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("HTTPS", "SECRET_KEY")}
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level"]
    return subprocess.run(
        [*command, "WARNING"],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_clean_under_the_documented_production_environment():
    result = check_deploy(production_env())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_plain_http():
    result = check_deploy({**production_env(), "HTTPS": "False"})
    assert result.returncode == 1
    for code in ("W004", "W008", "W012", "W016"):
        assert f"security.{code}" in result.stderr


@pytest.mark.parametrize(
    "env, message",
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is required unless DEBUG=True"),
        ({"SECRET_KEY": "short-but-random-9f8e7d"}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "ab" * 30}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "django-insecure-" + STRONG}, "SECRET_KEY is too weak"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is empty"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS is empty"),
        ({"DEBUG": "True"}, "DEBUG=True is for local use only"),
        ({"SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS must be a whole"),
        ({"HTTPS": "yes"}, "HTTPS must be True or False"),
    ],
)
def test_unsafe_production_settings_stop_start_up_with_one_line(env, message):
    result = run({**production_env(), **env})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert message in result.stderr


def test_production_settings_start():
    result = run(production_env())
    assert result.returncode == 0, result.stderr


def test_debug_on_this_machine_only_starts_without_a_secret_key():
    result = run({"DEBUG": "True", "ALLOWED_HOSTS": "localhost,127.0.0.1,[::1]"})
    assert result.returncode == 0, result.stderr


SEND = (
    "import django; django.setup(); from django.conf import settings as s; "
    "from django.core.mail import send_mail; "
    "print(s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_TIMEOUT, s.SITE_URL); "
    "send_mail('Hello', 'From the environment', None, ['dpo@lumiere.example'])"
)


def mail_env(port: int, **extra: str) -> dict[str, str]:
    from tests.mailserver import PASSWORD, USER

    base = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "kbinventory.settings",
        "DEBUG": "False",
        "SECRET_KEY": STRONG,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_HOST_USER": USER,
        "EMAIL_HOST_PASSWORD": PASSWORD,
        "EMAIL_USE_TLS": "False",
        "EMAIL_TIMEOUT": "7",
        "DEFAULT_FROM_EMAIL": "notices@konnectbot.example",
        "SITE_URL": "https://inventory.example.com/",
        **extra,
    }


def send_from_env(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", SEND]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)


def test_mail_settings_come_from_the_environment():
    from tests.mailserver import MailServer

    server = MailServer()
    server.start()
    try:
        result = send_from_env(mail_env(server.port))
        refused = send_from_env(mail_env(server.port, EMAIL_HOST_PASSWORD="wrong"))
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "False",
        "7",
        "https://inventory.example.com",
    ]
    (received,) = server.received
    assert received.mail_from == "notices@konnectbot.example"
    assert received.rcpt_tos == ["dpo@lumiere.example"]
    assert refused.returncode != 0 and "SMTPAuthenticationError" in refused.stderr


def test_tls_and_ssl_together_stop_start_up_with_one_line():
    result = run(
        {"SECRET_KEY": STRONG, "EMAIL_USE_TLS": "True", "EMAIL_USE_SSL": "True"}
    )
    assert result.returncode == 2
    assert "EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other" in result.stderr


def test_site_url_must_be_an_http_url():
    result = run({"SECRET_KEY": STRONG, "SITE_URL": "inventory.example.com"})
    assert result.returncode == 2 and "SITE_URL must start with" in result.stderr
