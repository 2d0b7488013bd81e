import os
import subprocess
import sys

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
