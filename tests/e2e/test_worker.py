"""Real Celery workers on PostgreSQL + Redis (docs/architecture.md, Runtime).

Run by .ci/run: `pytest -m e2e tests/e2e` with DATABASE_URL=postgres://... and
CELERY_BROKER_URL=redis://.../15 (a broker database for tests only). Each test
starts its workers as subprocesses pointed at the pytest test database, and
stops them by PID, with bounded waits.
"""

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection
from simple_history.utils import bulk_create_with_history

from inventory.models import ProcessingActivity
from kbinventory.celery import app
from reports.build import build
from reports.models import ReportRun
from reports.snapshot import latest_change
from tests.factories import make_activity

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL", "")
KIND = "ropa-controller"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not BROKER, reason="needs CELERY_BROKER_URL (see .ci/run)"),
]

Worker = subprocess.Popen[bytes]


def shared_database_url() -> str:
    """The database pytest-django made, for the worker processes to share."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs a database server: set DATABASE_URL")
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}"


def empty_broker() -> None:
    """Nothing left over from an earlier, interrupted run (queue, unacked)."""
    app.control.purge()
    client = redis.Redis.from_url(BROKER)
    client.delete("unacked", "unacked_index", "unacked_mutex")


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def start_worker(media: Path, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Start `celery -A kbinventory worker` in its own process group; every
    worker still alive at the end is stopped (SIGTERM, then SIGKILL)."""
    empty_broker()
    started: list[Worker] = []
    env = {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "MEDIA_ROOT": str(media),
        "CELERY_BROKER_URL": BROKER,
    }

    def start(name: str, **extra: str) -> Worker:
        log = open(tmp_path / f"worker-{name}.log", "wb")
        command = [sys.executable, "-m", "celery", "-A", "kbinventory", "worker"]
        options = ["-n", f"e2e-{name}@%h", "--concurrency", "1", "--loglevel", "INFO"]
        quiet = ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        worker = subprocess.Popen(
            [*command, *options, *quiet],
            env={**env, **extra},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        stop(worker)
    for log in sorted(tmp_path.glob("worker-*.log")):
        print(f"== {log.name}\n{log.read_text()[-3000:]}")


def stop(worker: Worker) -> None:
    if worker.poll() is not None:
        return
    os.killpg(worker.pid, signal.SIGTERM)  # warm shutdown
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)


def wait_for(run: ReportRun, statuses: set[str], timeout: float) -> ReportRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in statuses:
            return run
        time.sleep(0.05)
    pytest.fail(f"run {run.pk} still {run.status} after {timeout} s: {run.error}")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_files(media: Path) -> list[str]:
    return sorted(p.name for p in (media / "reports").iterdir())


def add_activities(count: int) -> None:
    """A large inventory, fast: history rows without per-row saves."""
    start = ProcessingActivity.objects.count()
    text = "Answer customer conversations, route them and keep records. " * 8
    activities = [
        ProcessingActivity(
            ref=f"PA-L{start + i}",
            name=f"Large activity {start + i}",
            role="controller",
            lawful_basis="contract",
            purposes=text,
            retention="36 months after the end of the contract",
            owner="Support",
        )
        for i in range(count)
    ]
    bulk_create_with_history(activities, ProcessingActivity, batch_size=2000)


def large_report(min_seconds: float) -> tuple[datetime, bytes, float]:
    """Grow the inventory until one build takes at least min_seconds here,
    so that a worker can be killed in the middle of it."""
    count = 5000
    while True:
        add_activities(count)
        as_of = latest_change()
        assert as_of is not None
        began = time.monotonic()
        expected = build(KIND, as_of)
        seconds = time.monotonic() - began
        if seconds >= min_seconds or count >= 160_000:
            return as_of, expected, seconds
        count *= 2


def test_worker_generates_a_requested_report(start_worker, media):
    make_activity(name="Support chat")
    make_activity(name="Billing")
    run = ReportRun.objects.create(kind=KIND)
    run.enqueue()  # autocommit: sent on commit, i.e. now
    start_worker("a")
    run = wait_for(run, {"done", "failed"}, timeout=90)
    assert run.status == "done", run.error
    assert run.as_of == latest_change()  # pinned by the worker
    expected = build(KIND, run.as_of)
    assert run.sha256 == sha256_of(expected)
    assert sha256_of(run.file.read()) == run.sha256
    assert run.attempts == 1 and run.enqueued_at is not None


def test_report_survives_its_worker_being_killed(start_worker, media):
    """SIGKILL the whole worker while it builds; the broker hands the
    unacknowledged task to another worker, which finishes the run."""
    as_of, expected, seconds = large_report(min_seconds=3.0)
    run = ReportRun.objects.create(kind=KIND, as_of=as_of)
    run.enqueue()
    # Redis gives an unacknowledged task back after the visibility timeout.
    visibility = str(int(seconds * 2) + 5)
    first = start_worker("first", CELERY_VISIBILITY_TIMEOUT=visibility)
    run = wait_for(run, {"running", "done", "failed"}, timeout=90)
    assert run.status == "running", run.error
    time.sleep(min(1.0, seconds / 4))  # well inside the build
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    run.refresh_from_db()
    assert run.status == "running", "the build finished before the kill"
    killed_task = run.task_id

    start_worker("second", CELERY_VISIBILITY_TIMEOUT=visibility)
    run = wait_for(run, {"done", "failed"}, timeout=120 + 3 * seconds)
    assert run.status == "done", run.error
    assert run.sha256 == sha256_of(expected)
    assert sha256_of(run.file.read()) == run.sha256
    assert (run.attempts, run.task_id) == (2, killed_task)  # re-delivered
    assert stored_files(media) == [f"run-{run.pk}-{KIND}.xlsx"]


def test_report_survives_its_pool_process_being_killed(start_worker, media):
    """reject_on_worker_lost: the child building the report dies; its task goes
    straight back to the queue and the same worker finishes the run."""
    as_of, expected, seconds = large_report(min_seconds=3.0)
    run = ReportRun.objects.create(kind=KIND, as_of=as_of)
    run.enqueue()
    worker = start_worker("pool")
    run = wait_for(run, {"running", "done", "failed"}, timeout=90)
    assert run.status == "running", run.error
    time.sleep(min(1.0, seconds / 4))  # well inside the build
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text()
    for child in children.split():
        os.kill(int(child), signal.SIGKILL)
    run = wait_for(run, {"done", "failed"}, timeout=60 + 3 * seconds)
    assert run.status == "done", run.error
    assert run.sha256 == sha256_of(expected)
    assert run.attempts == 2
    assert worker.poll() is None  # the worker itself lived on
    assert stored_files(media) == [f"run-{run.pk}-{KIND}.xlsx"]


def test_report_requested_while_no_worker_runs_waits_for_one(start_worker, media):
    """The broker keeps the task: a worker that starts later generates it."""
    make_activity(name="Support chat")
    run = ReportRun.objects.create(kind=KIND)
    run.enqueue()
    time.sleep(1)
    run.refresh_from_db()
    assert run.status == "queued" and run.enqueued_at is not None
    start_worker("late")
    run = wait_for(run, {"done", "failed"}, timeout=90)
    assert run.status == "done", run.error
    assert run.sha256 == sha256_of(build(KIND, run.as_of))
