"""A broker that is down when a report is requested (bad input): the
run is recorded as queued, the user is told it starts when the queue is back,
never a 500; once the broker is back, the sweep sends it."""

import socket
from collections.abc import Callable, Iterator

import pytest

from kbinventory.celery import app
from reports.models import BROKER_DOWN, ReportRun

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def reset_connections() -> None:
    """Forget the app's pools: the next send connects to the broker_url now set
    (kombu keeps one pool per URL, so the eager one is found again)."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down() -> Iterator[Callable[[], None]]:
    """CELERY_BROKER_URL at a closed port, CELERY_TASK_ALWAYS_EAGER False; the
    fixture's value brings the (eager) broker back."""
    saved = app.conf.broker_url, app.conf.task_always_eager

    def back() -> None:
        app.conf.broker_url, app.conf.task_always_eager = saved
        reset_connections()

    app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    app.conf.task_always_eager = False
    reset_connections()
    yield back
    back()


def test_run_requested_while_the_broker_is_down_stays_queued_with_a_note(
    broker_down, django_capture_on_commit_callbacks
):
    run = ReportRun.objects.create(kind="ropa-controller")
    with django_capture_on_commit_callbacks(execute=True):
        run.enqueue()  # does not raise
    run.refresh_from_db()
    assert (run.status, run.error, run.enqueued_at) == ("queued", BROKER_DOWN, None)
    assert run.waiting_for_broker
    assert ReportRun.objects.sweep() == 0  # still down: nothing sent, no error


# Committed for real: the message is added after the run was handed over.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_admin_request_while_the_broker_is_down_says_it_will_start_later(
    broker_down, dpo_client
):
    response = dpo_client.post(
        "/admin/reports/reportrun/add/", {"kind": "ropa-controller"}, follow=True
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("will start as soon as the queue is back" in m for m in shown), shown
    run = ReportRun.objects.get()
    assert run.status == "queued" and run.waiting_for_broker
    page = dpo_client.get("/admin/reports/reportrun/")  # still down: still no 500
    assert page.status_code == 200
    assert ReportRun.objects.get().status == "queued"


def test_queued_run_starts_once_the_broker_is_back(
    broker_down, builders, media, dpo_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dpo_client.post("/admin/reports/reportrun/add/", {"kind": "ropa-controller"})
    assert ReportRun.objects.get().status == "queued"
    broker_down()  # the broker is back
    page = dpo_client.get("/admin/reports/reportrun/")  # looking at the list sweeps
    assert page.status_code == 200
    run = ReportRun.objects.get()
    assert (run.status, run.error) == ("done", "")
    assert run.sha256 in page.content.decode()
