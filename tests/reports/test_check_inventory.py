"""manage.py check_inventory (docs/reports.md)."""

import json
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.factories import make_activity

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("check_inventory", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exit:
        status = exit.code
    return status, out.getvalue(), err.getvalue()


def test_errors_exit_one_and_list_code_severity_object_message():
    activity = make_activity(lawful_basis=None, ref="PA-Q1", name="Quiz")
    status, out, err = run()
    assert status == 1
    assert out.startswith("error    ACT_NO_LAWFUL_BASIS")
    assert f"processingactivity #{activity.pk} PA-Q1 Quiz: Controller activity" in out
    assert err.strip() == "1 findings: 1 error, 0 warning, 0 info"


def test_only_warnings_exit_zero():
    make_activity(dpia_required=True)
    status, out, _ = run()
    assert status == 0 and "ACT_DPIA_NO_REFERENCE" in out


def test_json_output():
    activity = make_activity(lawful_basis=None)
    status, out, _ = run("--json")
    assert status == 1
    assert json.loads(out) == [
        {
            "code": "ACT_NO_LAWFUL_BASIS",
            "severity": "error",
            "object_type": "processingactivity",
            "object_id": activity.pk,
            "object": str(activity),
            "message": "Controller activity without a lawful basis (Art. 6(1) GDPR).",
        }
    ]


def test_as_of_a_past_date():
    start = timezone.now() - timedelta(days=5)
    with time_machine.travel(start, tick=False):
        activity = make_activity(lawful_basis=None)
    activity.lawful_basis = "contract"
    activity.save()
    assert run()[0] == 0
    day = (start + timedelta(days=1)).date().isoformat()
    status, out, _ = run("--as-of", day)
    assert status == 1 and "ACT_NO_LAWFUL_BASIS" in out


@pytest.mark.parametrize("value", ["tomorrow", "2999-01-01"])
def test_bad_as_of_is_a_one_line_error_with_exit_two(value):
    with pytest.raises(CommandError) as error:
        call_command("check_inventory", "--as-of", value)
    assert error.value.returncode == 2
    assert "\n" not in str(error.value)
