"""Tamper evidence: history rows edited or removed with raw SQL are found."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from inventory.chain import ChainHead, HistorySeal, verify
from inventory.models import Vendor
from tests.factories import make_vendor


def verify_command() -> tuple[int, str]:
    try:
        call_command("verify_history", stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError as error:
        return error.returncode, str(error)
    return 0, ""


def table() -> str:
    return Vendor.history.model._meta.db_table


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{t}", table()), params)


@pytest.fixture
def vendor(db):
    vendor = make_vendor(name="Mailer Inc.", service="Email")
    vendor.service = "Transactional email"
    vendor.save()
    vendor.service = "Email and SMS"
    vendor.save()
    return vendor


def versions(vendor) -> list[int]:
    return list(
        vendor.history.order_by("history_id").values_list("history_id", flat=True)
    )


def test_untouched_history_verifies_including_the_migrations(vendor):
    assert verify_command() == (0, "")
    assert HistorySeal.objects.filter(table=table()).count() == 3
    head = ChainHead.objects.get(table=table(), object_id=str(vendor.pk))
    assert head.history_id == versions(vendor)[-1]


def test_a_value_edited_with_raw_sql_is_named(vendor):
    first, middle, _ = versions(vendor)
    raw("UPDATE {t} SET service = %s WHERE history_id = %s", ["Nothing", middle])

    status, message = verify_command()
    assert status == 1
    assert f"history_id {middle}: altered" in message


def test_a_middle_version_removed_is_found(vendor):
    _, middle, last = versions(vendor)
    raw("DELETE FROM {t} WHERE history_id = %s", [middle])

    problems = [str(p) for p in verify()]
    assert any(
        f"history_id {last}: altered, or a version before it" in p for p in problems
    )
    assert any(f"history_id {middle}: removed" in p for p in problems)


def test_the_latest_version_removed_with_its_seal_is_found(vendor):
    *_, last = versions(vendor)
    raw("DELETE FROM {t} WHERE history_id = %s", [last])
    HistorySeal.objects.filter(table=table(), history_id=last).delete()

    status, message = verify_command()
    assert status == 1
    assert f"history_id {last}: removed: the record's latest version is gone" in message


def test_a_version_inserted_outside_the_application_is_found(vendor):
    row = vendor.history.order_by("history_id").last()
    row.pk = None
    row.service = "Injected"
    Vendor.history.model.objects.bulk_create([row])  # no signal: no seal

    status, message = verify_command()
    assert status == 1
    assert "not sealed" in message


def test_many_to_many_sets_are_sealed_too(db):
    from tests.factories import make_activity

    activity = make_activity()
    activity.recipients.add(make_vendor())
    latest = activity.history.order_by("history_id").last()
    through = type(activity).history.model._meta.db_table + "_recipients"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {through} WHERE history_id = %s", [latest.pk])

    status, message = verify_command()
    assert status == 1
    assert f"history_id {latest.pk}: altered" in message


def seals_in_manifest(data: bytes) -> str:
    from tests.reports.helpers import load

    manifest = dict(load(data)["Manifest"].iter_rows(values_only=True))
    return manifest["History seals read (SHA-256)"]


def test_the_manifest_records_the_seals_it_was_built_from(vendor):
    from reports.build import build

    first = seals_in_manifest(build("changes"))
    assert len(first) == 64
    assert seals_in_manifest(build("changes")) == first
    # A history rewritten and re-sealed consistently no longer matches the
    # value in the workbooks filed before.
    seal = HistorySeal.objects.filter(table=table()).order_by("history_id").last()
    seal.digest = "0" * 64
    seal.save()
    assert seals_in_manifest(build("changes")) != first


@pytest.mark.parametrize(
    "role, status", [("dpo", 200), ("auditor", 200), ("sales", 403), (None, 302)]
)
def test_admin_page_is_for_the_dpo_and_the_auditor(vendor, role, status, request):
    from django.test import Client

    client = Client()
    if role is not None:
        client.force_login(request.getfixturevalue(role))
    response = client.get("/admin/verify-history/")
    assert response.status_code == status
    if status == 200:
        assert "History intact" in response.content.decode()


def test_admin_page_names_the_altered_version(vendor, auditor_client):
    _, middle, _ = versions(vendor)
    raw("UPDATE {t} SET service = %s WHERE history_id = %s", ["Nothing", middle])

    page = auditor_client.get("/admin/verify-history/").content.decode()
    assert f"history_id {middle}: altered" in page


def test_versions_written_in_bulk_are_sealed(db):
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    vendors = bulk_create_with_history(
        [Vendor(name=f"Bulk {n}", service="Hosting", country="US") for n in range(3)],
        Vendor,
    )
    for vendor in vendors:
        vendor.service = "Hosting and backups"
    bulk_update_with_history(vendors, Vendor, ["service"])

    assert verify_command() == (0, "")
    bulk = Vendor.history.filter(name__startswith="Bulk ")
    assert bulk.count() == 6
    ids = list(bulk.values_list("history_id", flat=True))
    assert HistorySeal.objects.filter(table=table(), history_id__in=ids).count() == 6


def test_chain_heads_written_in_bulk_move_in_statements_linear_in_their_number(db):
    """bulk_update's CASE WHEN per head is quadratic on PostgreSQL (minutes for
    10,000 heads): the heads move by a join on a VALUES list instead."""
    from django.test.utils import CaptureQueriesContext
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    vendors = bulk_create_with_history(
        [Vendor(name=f"Bulk {n}", service="Hosting", country="US") for n in range(30)],
        Vendor,
    )
    for vendor in vendors:
        vendor.service = "Hosting and backups"
    with CaptureQueriesContext(connection) as queries:
        bulk_update_with_history(vendors, Vendor, ["service"])

    moves = [
        q["sql"] for q in queries if q["sql"].startswith('UPDATE "inventory_chainhead"')
    ]
    assert len(moves) == 1
    assert "CASE" not in moves[0]
    assert verify_command() == (0, "")
    latest = {
        str(row.id): row.history_id
        for row in Vendor.history.filter(service="Hosting and backups")
    }
    heads = ChainHead.objects.filter(table=table(), object_id__in=latest)
    assert {h.object_id: h.history_id for h in heads} == latest
    seals = HistorySeal.objects.filter(table=table(), history_id__in=latest.values())
    assert {s.digest for s in seals} == {h.digest for h in heads}
