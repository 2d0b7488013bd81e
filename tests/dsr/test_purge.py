"""Minimisation: requesters' identities and what was gathered are purged
after the retention (default 3 years after closing), history included; the
pseudonymised record and its timings stay."""

import io
from pathlib import Path

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from dsr.models import Attachment, DataSubjectRequest, Message
from dsr.tasks import purge_requests
from tests.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(dpo):
    with time_machine.travel("2023-01-10 09:00Z", tick=False):
        request = make_request(
            requester_name="Ada Lovelace",
            requester_email="ada@example.org",
            subject_identifiers="Account 42",
            notes="Called from +44 20 7946 0000",
        )
        request.tasks.create(
            action="export", object_type="system", object_id=1, target="CRM"
        )
        request.tasks.get().mark_done(dpo, "orders of Ada")
    with time_machine.travel("2023-01-20 09:00Z", tick=False):
        request.close(dpo, "fulfilled")
    return request


def test_nothing_is_purged_before_three_years(closed):
    with time_machine.travel("2026-01-19 09:00Z", tick=False):
        out = io.StringIO()
        call_command("purge_requests", stdout=out)
    assert out.getvalue().strip() == (
        "Purged 0 request(s) closed more than 36 months ago."
    )
    closed.refresh_from_db()
    assert closed.requester_email == "ada@example.org"


def test_purge_keeps_a_pseudonymised_record_with_its_timings(
    closed, dpo, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    message = closed.messages.create(
        direction="in",
        message_id="<m@x>",
        sender="Ada <ada@example.org>",
        sent_at=closed.received_at,
        body="Please send my data",
    )
    attachment = Attachment(
        message=message, filename="id.pdf", content_type="a/b", size=3
    )
    attachment.file.save("id.pdf", ContentFile(b"abc"))
    stored = Path(attachment.file.path)
    assert stored.exists()
    pseudonym = closed.pseudonym()
    due_on, received = closed.due_on, closed.received_at
    with time_machine.travel("2026-01-21 09:00Z", tick=False):
        dry = io.StringIO()
        call_command("purge_requests", "--dry-run", stdout=dry)
        assert "Would purge 1 request(s)" in dry.getvalue()
        assert DataSubjectRequest.objects.get().purged_at is None
        out = io.StringIO()
        call_command("purge_requests", "--user", "dpo", stdout=out)
    assert "Purged 1 request(s)" in out.getvalue()

    request = DataSubjectRequest.objects.get()
    assert request.requester_name == pseudonym
    assert request.pseudonym() == pseudonym
    assert (request.requester_email, request.subject_identifiers, request.notes) == (
        "",
        "",
        "",
    )
    assert (request.due_on, request.received_at, request.outcome) == (
        due_on,
        received,
        "fulfilled",
    )
    assert request.purged_at is not None
    assert request.tasks.get().result == ""
    assert not Message.objects.exists() and not Attachment.objects.exists()
    assert not stored.exists()
    everything = str(list(request.history.values())) + str(
        list(request.tasks.get().history.values())
    )
    assert "Ada" not in everything and "ada@example.org" not in everything
    assert "orders of Ada" not in everything
    assert request.history.first().history_user == dpo
    reasons = [h.history_change_reason for h in request.history.all()]
    assert reasons == ["Purged after the retention period", "Closed: fulfilled", None]
    with time_machine.travel("2026-02-01 09:00Z", tick=False):
        assert purge_requests() == 0  # once


def test_retention_is_configurable(closed, settings):
    settings.DSR_RETENTION_MONTHS = 12
    with time_machine.travel("2024-02-01 09:00Z", tick=False):
        assert purge_requests() == 1


def test_unknown_user_exits_2(closed):
    with pytest.raises(CommandError) as error:
        call_command("purge_requests", "--user", "nobody")
    assert error.value.returncode == 2


def verify_history() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_history", stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, str(error)
    return 0, out.getvalue()


def test_purge_reseals_the_history_it_rewrites_and_says_so(closed):
    from inventory.chain import Reseal

    with time_machine.travel("2026-01-21 09:00Z", tick=False):
        call_command("purge_requests", "--user", "dpo", stdout=io.StringIO())

    status, out = verify_history()
    assert status == 0, out
    table = DataSubjectRequest.history.model._meta.db_table
    reseal = Reseal.objects.get(table=table, object_id=str(closed.pk))
    assert (reseal.actor, reseal.reason) == ("dpo", "Purged after the retention period")
    assert reseal.versions == 2  # created, closed (the purge's own version follows)
    assert Reseal.objects.exclude(table=table).count() == 1  # its task
    assert "Re-sealed on purpose" in out and "Purged after the retention" in out


def test_a_raw_sql_edit_after_the_purge_is_still_found(closed):
    from django.db import connection

    with time_machine.travel("2026-01-21 09:00Z", tick=False):
        call_command("purge_requests", stdout=io.StringIO())
    first = closed.history.order_by("history_id").first()
    table = DataSubjectRequest.history.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET outcome = %s WHERE history_id = %s",
            ["refused", first.history_id],
        )

    status, message = verify_history()
    assert status == 1
    assert f"history_id {first.history_id}: altered" in message
