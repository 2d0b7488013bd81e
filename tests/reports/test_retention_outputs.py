"""Every output uses the period in force: the customer's Annex I.B field 7 and
Clause 8.5, the processor record per customer, the controller record per data
category (Art. 30(1)(f)), and the ``retention`` workbook with the evidence."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inventory.models import Customer, RetentionOverride
from reports.build import build
from tests.factories import make_data_category, make_plan
from tests.reports.helpers import by, headers, load, records

pytestmark = [pytest.mark.django_db, pytest.mark.once]  # once: .ci/run
CHAT = "DC07 Conversation content"


def field7(customer: str, **kwargs) -> str:
    ws = load(build("dpa-annex", customer=customer, **kwargs))["Annex I.B Transfer"]
    return by(ws, "Field")[
        "7. The period for which the personal data will be retained, or, if that "
        "is not possible, the criteria used to determine that period"
    ]["Description"]


def line_of(text: str, start: str) -> str:
    (line,) = [x for x in text.splitlines() if x.startswith(f"\u2022 {start}")]
    return line


def test_the_three_demo_annexes_show_each_customers_conversation_retention(demo):
    maison = field7("Maison Lumière SAS")
    thistle = field7("Thistle & Pine Ltd")
    bayview = field7("Bayview Telehealth Inc.")

    assert line_of(maison, CHAT).startswith(
        f"\u2022 {CHAT}: 90 days after collection (customer setting); then deletion"
    )
    assert "365 days (1 year) after collection (customer setting)" in line_of(
        thistle, CHAT
    )
    assert "2190 days (6 years) after collection" in line_of(bayview, CHAT)
    # Categories kept "as conversation content" follow the customer's setting.
    assert "90 days after collection (customer setting for DC07)" in line_of(
        maison, "DC08 Attachments"
    )
    assert "2190 days (6 years)" in line_of(bayview, "DC13 Health information")
    # A category the customer does not set keeps the schedule.
    assert "30 days after collection" in line_of(maison, "DC11") and "(schedule)" in (
        line_of(maison, "DC11")
    )


def test_clause_8_5_follows_the_customers_choice(demo):
    assert (
        "the data importer deletes all personal data within 30 days and "
        "certifies" in field7("Maison Lumière SAS")
    )
    assert (
        "returns all personal data to the data exporter within 30 days, then "
        "deletes the existing copies" in field7("Bayview Telehealth Inc.")
    )
    assert "(Clause 8.5; GDPR Art. 28(3)(g))" in field7("Thistle & Pine Ltd")


def test_the_annex_as_of_a_past_date_shows_the_setting_then(demo):
    before = timezone.now()
    setting = RetentionOverride.objects.get(customer__name="Maison Lumière SAS")
    setting.retention_days = 60
    setting.save()

    assert "60 days after collection" in line_of(field7("Maison Lumière SAS"), CHAT)
    then = field7("Maison Lumière SAS", as_of=before)
    assert "90 days after collection" in line_of(then, CHAT)


def test_processor_record_shows_each_customers_periods_and_clause_8_5(demo):
    rows = records(load(build("ropa-processor"))["Processor record"])
    chat_rows = {
        r["Customer (controller)"]: r
        for r in rows
        if r["Processing category"] == "AI chat"
    }
    assert (
        "DC07 Conversation content: 90 days after collection (customer "
        "setting), then deletion" in chat_rows["Maison Lumière SAS"]["Retention"]
    )
    assert "365 days (1 year)" in chat_rows["Thistle & Pine Ltd"]["Retention"]
    assert (
        "returns all personal data"
        in chat_rows["Bayview Telehealth Inc."]["End of service (Clause 8.5)"]
    )


def test_controller_record_gives_the_time_limit_per_data_category(demo):
    ws = load(build("ropa-controller"))["Controller record"]
    assert "Retention per data category" in headers(ws)
    billing = by(ws, "Reference")["PA-C2"]["Retention per data category"]
    assert billing.splitlines() == [
        "DC01 Account identity and contact: 30 days after the end of the contract "
        "(Life of the account + 30 days)",
        "DC03 Billing and payment: 10 years after the end of the contract "
        "(Statutory accounting period (10 years))",
    ]


# -- the retention workbook ---------------------------------------------------


def test_retention_workbook_sheets_and_manifest(demo):
    wb = load(build("retention"))
    assert wb.sheetnames == ["Schedule", "Customers", "Manifest", "Deletion runs"]
    manifest = dict(wb["Manifest"].iter_rows(min_row=2, values_only=True))
    assert manifest["Report kind"] == "retention"
    assert manifest["Rows in Schedule"] == 13
    assert manifest["Rows in Deletion runs"] == wb["Deletion runs"].max_row - 1 > 100


def test_retention_workbook_is_reproducible(demo):
    assert build("retention") == build("retention")


def test_schedule_sheet(demo):
    rows = by(load(build("retention"))["Schedule"], "Code")
    billing = rows["DC03"]
    assert billing["Period (days)"] == 3650
    assert billing["At the end"] == "deletion"
    assert billing["Legal reason for the period"].startswith("Statutory bookkeeping")
    assert rows["DC08"]["Same period as"] == "DC07"
    assert rows["DC04"]["At the end"] == "de-identification"
    assert rows["DC07"]["Plan limits"].splitlines() == [
        "Business: 30-730 days",
        "Enterprise: 30-2555 days",
        "Starter: 30-365 days",
    ]
    assert rows["DC12"]["Deletion evidence"] == "Up to date"
    assert rows["DC01"]["Deletion evidence"] == "No deletion run recorded"


def test_customers_sheet_compares_the_setting_with_the_evidence(demo):
    rows = records(load(build("retention"))["Customers"])
    chat = {r["Customer"]: r for r in rows if r["Code"] == "DC07"}

    maison = chat["Maison Lumière SAS"]
    assert (maison["Plan"], maison["Residency region"]) == (
        "Business",
        "European Union",
    )
    assert maison["Period (days)"] == 90 and maison["Within plan"] == "Yes"
    assert maison["Plan limit"] == "30-730 days"
    assert maison["Deletion evidence"] == "Up to date"
    assert (
        maison["Last successful run"].date()
        == (timezone.now() - timedelta(days=1)).date()
    )
    assert chat["Thistle & Pine Ltd"]["Deletion evidence"].startswith(
        "DEL_RUN_GAP: No successful deletion run between"
    )
    attachments = [
        r for r in rows if r["Code"] == "DC08" and r["Customer"] == "Maison Lumière SAS"
    ]
    assert attachments[0]["Deletion evidence"] == "Up to date"  # deleted with DC07


def test_a_setting_outside_the_plan_reads_no(demo):
    customer = Customer.objects.get(name="Thistle & Pine Ltd")
    customer.plan = make_plan(name="Tiny")
    customer.save()
    rows = records(load(build("retention"))["Customers"])
    (row,) = [r for r in rows if r["Customer"] == customer.name and r["Code"] == "DC07"]
    assert row["Within plan"] == "No: not offered"


def test_runs_sheet_lists_runs_newest_first_and_since_narrows_it(demo):
    wb = load(build("retention"))
    runs = records(wb["Deletion runs"])
    assert runs[0]["Finished"] >= runs[-1]["Finished"]
    failed = [r for r in runs if r["Outcome"] == "failed"]
    assert [r["Customer"] for r in failed] == ["Thistle & Pine Ltd"]
    assert {r["Customer"] for r in runs if r["Code"] == "DC12"} == {"All customers"}

    since = (timezone.now() - timedelta(days=3)).date().isoformat()
    recent = records(load(build("retention", since=since))["Deletion runs"])
    assert 0 < len(recent) < len(runs)


def test_a_schedule_without_a_number_shows_its_criterion():
    make_data_category(code="DC06", retention="Until consent is withdrawn")
    rows = by(load(build("retention"))["Schedule"], "Code")
    assert rows["DC06"]["Period"] == "Until consent is withdrawn"
    assert rows["DC06"]["Period (days)"] is None
