"""The report-run lifecycle in eager mode: success, failure, idempotency,
re-delivery and stale runs ("no lost reports")."""

import hashlib
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from django.conf import settings
from django.utils import timezone

from reports.build import build
from reports.models import BROKER_DOWN, ReportRun
from reports.tasks import generate_report, sweep_report_runs
from tests.factories import make_activity, make_customer

pytestmark = pytest.mark.django_db
STALE = timedelta(seconds=settings.REPORT_STALE_AFTER_SECONDS + 1)


def stored(media):
    return sorted(p.name for p in (media / "reports").iterdir())


def make_run(**kwargs):
    kwargs.setdefault("kind", "ropa-controller")
    return ReportRun.objects.create(**kwargs)


def running(task_id="task-1", started=None, attempts=1, **kwargs):
    kwargs.update(task_id=task_id, attempts=attempts, status="running")
    return make_run(started_at=started or timezone.now(), **kwargs)


def test_enqueued_run_is_done_with_the_sha256_of_build(
    builders, media, dpo, django_capture_on_commit_callbacks
):
    make_activity(ref="PA-1", name="Payroll")
    run = make_run(requested_by=dpo)
    with django_capture_on_commit_callbacks(execute=True):
        run.enqueue()
    run.refresh_from_db()
    assert (run.status, run.error, run.attempts) == ("done", "", 1)
    expected = build("ropa-controller", run.as_of)
    assert run.sha256 == hashlib.sha256(expected).hexdigest()
    assert run.file.read() == expected
    sheet = openpyxl.load_workbook(io.BytesIO(expected))["Controller record"]
    assert [c.value for c in sheet[2]] == ["PA-1", "Payroll"]
    assert run.enqueued_at is not None and run.finished_at is not None


def test_run_without_as_of_is_pinned_to_the_latest_change(builders, media):
    activity = make_activity()
    run = make_run()
    generate_report(run.pk)
    run.refresh_from_db()
    assert run.as_of == activity.history.get().history_date


def test_generating_the_same_run_twice_stores_one_file(builders, media):
    make_activity()
    run = make_run()
    generate_report(run.pk)
    run.refresh_from_db()
    first = (run.sha256, run.finished_at, run.attempts)
    generate_report(run.pk)
    run.refresh_from_db()
    assert (run.sha256, run.finished_at, run.attempts) == first
    assert stored(media) == [f"run-{run.pk}-ropa-controller.xlsx"]


def test_file_left_by_an_interrupted_attempt_is_overwritten(builders, media):
    run = make_run()
    (media / "reports").mkdir()
    (media / run.file_name()).write_bytes(b"half a workbook")
    generate_report(run.pk)
    run.refresh_from_db()
    assert stored(media) == [f"run-{run.pk}-ropa-controller.xlsx"]
    data = (media / run.file_name()).read_bytes()
    assert hashlib.sha256(data).hexdigest() == run.sha256


def test_done_run_whose_file_is_gone_is_built_again(builders, media):
    run = make_run()
    generate_report(run.pk)
    run.refresh_from_db()
    (media / run.file_name()).unlink()
    generate_report(run.pk)
    run.refresh_from_db()
    assert run.attempts == 2 and (media / run.file_name()).exists()


def test_failing_build_marks_the_run_failed_and_leaves_earlier_runs(builders, media):
    earlier = make_run()
    generate_report(earlier.pk)
    earlier.refresh_from_db()
    failing = make_run(kind="tia")
    generate_report(failing.pk)
    failing.refresh_from_db()
    assert failing.status == "failed"
    assert failing.error == "RuntimeError: disk on fire"
    assert not failing.file and failing.finished_at is not None
    again = ReportRun.objects.get(pk=earlier.pk)
    assert (again.status, again.sha256, again.file.name) == (
        "done",
        earlier.sha256,
        earlier.file.name,
    )
    assert stored(media) == [f"run-{earlier.pk}-ropa-controller.xlsx"]


def test_bad_parameters_fail_with_the_report_error(builders, media):
    make_customer(name="Acme")
    run = make_run(kind="dpa-annex", parameters={"customer": "Nope"})
    generate_report(run.pk)
    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", "unknown customer 'Nope'")


def test_as_of_in_the_future_fails_the_run(builders, media):
    run = make_run(as_of=timezone.now() + timedelta(days=1))
    generate_report(run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and "is in the future" in run.error


def test_since_is_parsed_back_to_a_datetime(builders, media):
    run = make_run(kind="changes", parameters={"since": "2026-01-31"})
    generate_report(run.pk)
    run.refresh_from_db()
    assert run.status == "done"
    assert builders == [{"since": datetime(2026, 1, 31, 23, 59, 59, 999999, UTC)}]


def test_redelivered_task_takes_over_the_run_its_dead_worker_left(builders, media):
    run = running(task_id="task-1")
    generate_report.apply(args=[run.pk], task_id="task-1")
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 2)


def test_duplicate_task_leaves_a_live_run_to_its_worker(builders, media):
    run = running(task_id="task-1")
    generate_report.apply(args=[run.pk], task_id="task-2")
    run.refresh_from_db()
    assert (run.status, run.attempts, run.task_id) == ("running", 1, "task-1")


def test_task_redelivered_too_often_fails_the_run(builders, media):
    limit = settings.REPORT_MAX_ATTEMPTS
    run = running(task_id="task-1", attempts=limit)
    generate_report.apply(args=[run.pk], task_id="task-1")
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.error.startswith(f"Gave up after {limit} attempts")


def test_stale_run_is_retried_by_the_sweep(builders, media):
    run = running(task_id="dead", started=timezone.now() - STALE)
    assert sweep_report_runs() == 1
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 2)
    assert run.task_id != "dead"


def test_stale_run_out_of_attempts_is_failed_with_the_reason(builders, media):
    limit = settings.REPORT_MAX_ATTEMPTS
    run = running(started=timezone.now() - STALE, attempts=limit)
    sweep_report_runs()
    run.refresh_from_db()
    assert run.status == "failed"
    assert f"Gave up after {limit} attempts" in run.error
    assert f"within {settings.REPORT_STALE_AFTER_SECONDS} s" in run.error


def test_recent_running_run_is_left_to_its_worker(builders, media):
    run = running(started=timezone.now() - timedelta(seconds=30))
    assert sweep_report_runs() == 0
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("running", 1)


def test_sweep_sends_the_runs_that_waited_for_the_broker(builders, media):
    waiting = make_run(error=BROKER_DOWN)
    sent_long_ago = make_run(enqueued_at=timezone.now() - STALE)
    just_sent = make_run(enqueued_at=timezone.now())
    assert sweep_report_runs() == 2
    statuses = {r.pk: r.status for r in ReportRun.objects.all()}
    assert statuses == {
        waiting.pk: "done",
        sent_long_ago.pk: "done",
        just_sent.pk: "queued",
    }
    assert ReportRun.objects.get(pk=waiting.pk).error == ""


def test_deleting_a_run_deletes_its_file(builders, media):
    run = make_run()
    generate_report(run.pk)
    run.refresh_from_db()
    run.delete()
    assert stored(media) == []


def test_report_task_is_acknowledged_late_and_rejected_if_its_worker_dies():
    assert generate_report.acks_late is True
    assert generate_report.reject_on_worker_lost is True
    assert generate_report.soft_time_limit < settings.REPORT_STALE_AFTER_SECONDS
    assert generate_report.time_limit < settings.REPORT_STALE_AFTER_SECONDS
