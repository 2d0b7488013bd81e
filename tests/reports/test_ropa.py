import datetime

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.synthetic import Shape, populate
from inventory.models import LegalEntity, ProcessingActivity, Vendor
from reports.build import ReportError, build
from reports.ropa import CONTROLLER_HEADERS, PROCESSOR_HEADERS, RECORD_HEADERS
from reports.xlsx import unneutralise
from tests.factories import (
    make_activity,
    make_customer,
    make_data_category,
    make_feature,
    make_tia,
    make_transfer,
    make_vendor,
)
from tests.reports.helpers import by, cells, headers, load, records
from transfers.models import Transfer

US_DPF = "Adequacy decision (Art. 45), EU-US Data Privacy Framework certified"

pytestmark = pytest.mark.once  # the SQLite pass only (.ci/run)


@pytest.fixture
def controller(demo):
    return load(build("ropa-controller"))


@pytest.fixture
def processor(demo):
    return load(build("ropa-processor"))


def test_controller_workbook_has_the_contract_sheets_in_order(controller):
    assert controller.sheetnames == [
        "Organisation",
        "Controller record",
        "Findings",
        "Manifest",
    ]


def test_controller_record_header_row_is_the_shared_layout(controller):
    row = headers(controller["Controller record"])
    # The importable columns first, then those derived from other records.
    assert row[: len(CONTROLLER_HEADERS)] == list(CONTROLLER_HEADERS)
    assert row == list(RECORD_HEADERS)
    for required in (  # docs/reports.md
        "Processing activity",
        "Purposes",
        "Lawful basis",
        "Special category condition",
        "Categories of data subjects",
        "Categories of personal data",
        "Categories of recipients",
        "Third countries",
        "Transfer safeguards",
        "Retention",
        "Security measures",
    ):
        assert required in row


def test_organisation_sheet_lists_our_entity_with_dpo_and_representative(
    controller,
):
    ws = controller["Organisation"]
    assert headers(ws) == [
        "Name",
        "Address",
        "Country",
        "Contact",
        "DPO",
        "Representative (Art. 27)",
    ]
    (konnectbot,) = records(ws)
    assert konnectbot["Name"] == "KonnectBot, Inc."
    assert konnectbot["Country"] == "United States of America"
    assert konnectbot["DPO"].startswith("Dana Whitfield")
    assert "Dublin" in konnectbot["Representative (Art. 27)"]


def test_controller_record_lists_only_controller_activities_by_reference(
    controller,
):
    refs = [row["Reference"] for row in records(controller["Controller record"])]
    assert refs == ["PA-C1", "PA-C2", "PA-C3", "PA-C4", "PA-C5", "PA-C6"]


def test_security_activity_shows_its_legitimate_interest_basis(controller):
    pa_c3 = by(controller["Controller record"], "Reference")["PA-C3"]
    assert pa_c3["Lawful basis"] == "Legitimate interests (Art. 6(1)(f))"
    assert pa_c3["Legitimate interests"] == "Keeping the service and its users secure"
    assert pa_c3["LIA reference"].startswith("LIA-2025-03")
    assert pa_c3["Categories of data subjects"] == "Account users\nEnd users"
    assert pa_c3["Categories of personal data"] == (
        "DC02 Authentication and security\nDC09 Conversation metadata"
    )
    assert pa_c3["Categories of recipients"] == (
        "EdgeShield CDN Inc.\nNimbus Cloud Inc.\nTracelight Monitoring Inc."
    )
    assert pa_c3["Status"] == "Active"
    assert pa_c3["DPIA required"] == "No"


def test_transfers_give_third_countries_and_safeguards(controller):
    rows = by(controller["Controller record"], "Reference")
    assert rows["PA-C5"]["Third countries"] == "India\nUnited States of America"
    # One line per country and importer; the US importers are covered only
    # because they are DPF-certified (partial adequacy, Decision (EU) 2023/1795).
    assert rows["PA-C5"]["Transfer safeguards"] == (
        "India (Sahay Support Services Pvt Ltd): Standard contractual clauses "
        "(Art. 46(2)(c)) (SCC Module 2)\n"
        f"United States of America (Helpdeskly Inc.): {US_DPF}\n"
        f"United States of America (Postwave Email Inc.): {US_DPF}"
    )
    assert rows["PA-C1"]["Third countries"] == (
        "Canada\nUnited Kingdom\nUnited States of America"
    )
    # Nimbus is not recorded as subject to PIPEDA: Canada's partial adequacy
    # does not cover it, and no transfer for our own data to Canada is recorded.
    assert rows["PA-C1"]["Transfer safeguards"] == (
        "Canada (Nimbus Cloud Inc.): no safeguard recorded\n"
        "United Kingdom (Northbridge Engineering Ltd): Adequacy decision (Art. 45)\n"
        f"United States of America (Nimbus Cloud Inc.): {US_DPF}\n"
        f"United States of America (Postwave Email Inc.): {US_DPF}\n"
        f"United States of America (Tracelight Monitoring Inc.): {US_DPF}"
    )
    assert rows["PA-C4"]["Third countries"] is None  # Metrika, in Germany


def test_next_review_is_a_typed_date_cell(controller):
    ws = controller["Controller record"]
    column = CONTROLLER_HEADERS.index("Next review") + 1
    cell = ws.cell(row=2, column=column)
    assert cell.is_date
    assert cell.value.date() == datetime.date(2027, 3, 31)


def test_special_category_data_names_its_art9_kind(demo):
    health = make_data_category(
        code="DC99", name="Health notes", special_category=True, art9_kind="health"
    )
    act = make_activity(ref="PA-C9", art9_condition="9_2_a")
    act.data_categories.add(health)
    row = by(load(build("ropa-controller"))["Controller record"], "Reference")
    assert row["PA-C9"]["Special categories of data"] == (
        "DC99 Health notes: Health data"
    )
    assert row["PA-C9"]["Special category condition"] == (
        "Explicit consent (Art. 9(2)(a))"
    )


def test_retired_activity_stays_in_the_record_marked_retired(demo):
    make_activity(ref="PA-C0", status=ProcessingActivity.Status.RETIRED)
    row = by(load(build("ropa-controller"))["Controller record"], "Reference")
    assert row["PA-C0"]["Status"] == "Retired"


def test_findings_sheet_reports_the_transfer_without_safeguard(controller):
    findings = records(controller["Findings"])
    assert {(f["Code"], f["Object"]) for f in findings if f["Severity"] == "error"} >= {
        ("TRF_NO_SAFEGUARD", "KonnectBot to Textwire Messaging (US)")
    }


def test_processor_workbook_has_the_contract_sheets_in_order(processor):
    assert processor.sheetnames == [
        "Organisation",
        "Processor record",
        "Security measures",
        "Findings",
        "Manifest",
    ]
    assert headers(processor["Processor record"]) == list(PROCESSOR_HEADERS)
    assert headers(processor["Security measures"]) == [
        "Reference",
        "Measure",
        "SCC Annex II heading",
        "Description",
    ]


def test_processor_record_has_one_row_per_customer_and_feature(processor):
    rows = records(processor["Processor record"])
    assert [(r["Customer (controller)"], r["Processing category"]) for r in rows] == [
        ("Bayview Telehealth Inc.", "AI chat"),
        ("Bayview Telehealth Inc.", "HIPAA workspace"),
        ("Bayview Telehealth Inc.", "Human hand-off and dashboards"),
        ("Maison Lumière SAS", "AI chat"),
        ("Maison Lumière SAS", "Human hand-off and dashboards"),
        ("Maison Lumière SAS", "Shopify integration"),
        ("Maison Lumière SAS", "Transcript emails"),
        ("Thistle & Pine Ltd", "AI chat"),
        ("Thistle & Pine Ltd", "Assisted support"),
        ("Thistle & Pine Ltd", "SMS channel"),
        ("Thistle & Pine Ltd", "WooCommerce integration"),
    ]


def test_maison_lumiere_shopify_row(processor):
    rows = [
        r
        for r in records(processor["Processor record"])
        if r["Customer (controller)"] == "Maison Lumière SAS"
    ]
    shopify = {r["Processing category"]: r for r in rows}["Shopify integration"]
    assert shopify["Customer country"] == "France"
    assert shopify["Customer DPO"] == "dpo@lumiere.example"
    assert shopify["Customer contact"].startswith("Claire Martin")
    assert shopify["Processor"] == "KonnectBot, Inc."
    assert (
        shopify["Processing activities"] == "PA-P2 Commerce integration: order look-ups"
    )
    assert shopify["Categories of personal data"] == (
        "DC10 End-customer contact details\nDC11 E-commerce order context"
    )
    assert shopify["Sub-processors"] == "Cortex AI Inc.\nNimbus Cloud Inc."
    assert shopify["Third countries"] == "Canada\nUnited States of America"
    assert shopify["Transfer safeguards"].split("\n") == [
        # Nimbus backups: not recorded under PIPEDA, so its SCCs cover them
        "Canada (Nimbus Cloud Inc.): Standard contractual clauses (Art. 46(2)(c)) "
        "(SCC Module 3)",
        # not Nimbus in the US: the EU region keeps Maison's data off it
        "United States of America (Cortex AI Inc.): Standard contractual clauses "
        "(Art. 46(2)(c)) (SCC Module 3)",  # onward: KonnectBot to Cortex AI
        "United States of America (KonnectBot, Inc.): Standard contractual "
        "clauses (Art. 46(2)(c)) (SCC Module 2)",  # Maison Lumière to KonnectBot
    ]
    assert shopify["DPA version"] == "DPA v4"
    assert shopify["DPA signed on"] == datetime.datetime(2025, 3, 14)
    assert shopify["HIPAA BAA"] == "No"
    # Art. 30(2)(d): the measures by their number on the Security measures sheet.
    measures = {
        m["Reference"]: m["Measure"] for m in records(processor["Security measures"])
    }
    assert "PII redaction option for chats" in [
        measures[ref] for ref in refs(shopify["Security measures"])
    ]


def refs(cell: str) -> list[str]:
    """ "M1-M3, M5" as ["M1", "M2", "M3", "M5"]."""
    found = []
    for part in cell.split(", "):
        first, _, last = part.partition("-")
        end = int((last or first)[1:])
        found += [f"M{n}" for n in range(int(first[1:]), end + 1)]
    return found


def test_every_measure_is_numbered_once_under_its_annex_ii_heading(processor):
    measures = records(processor["Security measures"])
    assert [m["Reference"] for m in measures] == [
        f"M{n}" for n in range(1, len(measures) + 1)
    ]
    assert len({m["Measure"] for m in measures}) == len(measures)
    assert all(m["SCC Annex II heading"] and m["Description"] for m in measures)
    encryption = next(
        m for m in measures if m["Measure"] == "AES-256 encryption at rest"
    )
    assert encryption["SCC Annex II heading"] == "Protection of data at rest"
    # Every row names only measures the sheet describes, one short line.
    for row in records(processor["Processor record"]):
        assert "\n" not in row["Security measures"]
        assert set(refs(row["Security measures"])) <= {m["Reference"] for m in measures}


def test_category_shows_only_the_transfers_of_its_activities(processor):
    rows = records(processor["Processor record"])
    emails = next(r for r in rows if r["Processing category"] == "Transcript emails")
    # PA-P3 is not sent to Cortex AI, so its Module 3 onward transfer is not here.
    assert "KonnectBot to Cortex AI (US)" not in emails["Transfers"]
    assert "Maison Lumière to KonnectBot (US)" in emails["Transfers"]


def test_baa_customer_is_flagged(processor):
    rows = records(processor["Processor record"])
    bayview = [r for r in rows if r["Customer (controller)"].startswith("Bayview")]
    assert {r["HIPAA BAA"] for r in bayview} == {"Yes"}


def test_a_us_customers_data_makes_no_chapter_v_transfer(processor):
    """Bayview (US, no Art. 27 representative) exports under no European law:
    its rows never borrow another customer's UK Addendum or an adequacy
    decision; they say once that no Chapter V transfer is made."""
    rows = records(processor["Processor record"])
    bayview = [r for r in rows if r["Customer (controller)"].startswith("Bayview")]
    assert {r["Transfer safeguards"] for r in bayview} == {
        "No Chapter V transfer: the customer is established outside the EEA, "
        "the United Kingdom and Switzerland"
    }
    assert all("Canada" in r["Third countries"] for r in bayview)


def test_a_uk_customers_legs_read_under_uk_law(processor):
    """Thistle & Pine's data goes on under UK GDPR: to the UK is no transfer,
    to a US vendor under the UK Extension, whatever an EU transfer recorded
    for the same route says."""
    (chat,) = [
        r
        for r in records(processor["Processor record"])
        if r["Customer (controller)"] == "Thistle & Pine Ltd"
        and r["Processing category"] == "AI chat"
    ]
    lines = chat["Transfer safeguards"].splitlines()
    assert (
        "United Kingdom (Northbridge Engineering Ltd): no transfer (UK GDPR)" in lines
    )
    assert (
        "United States of America (Nimbus Cloud Inc.): Adequacy decision (Art. 45), "
        "certified under the UK Extension to the EU-US DPF"
    ) in lines
    assert not [line for line in lines if "EU-US Data Privacy Framework" in line]


def test_customer_without_features_still_has_a_row(demo):
    make_customer(name="Zeta GmbH", country="DE", dpo="dpo@zeta.example")
    rows = records(load(build("ropa-processor"))["Processor record"])
    zeta = [r for r in rows if r["Customer (controller)"] == "Zeta GmbH"]
    assert len(zeta) == 1
    assert zeta[0]["Processing category"] is None
    assert zeta[0]["Customer country"] == "Germany"


@pytest.mark.parametrize("kind", ["ropa-controller", "ropa-processor"])
def test_same_call_twice_gives_identical_bytes(demo, kind):
    assert build(kind) == build(kind)


# OWASP "CSV Injection" payloads: each put in an activity's purposes.
PAYLOADS = [
    "=1+1",
    "+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    '=HYPERLINK("http://x","y")',
    "a,=1+1",
    '"=1"',
    "{=1+1}",
    "  =1",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_payload_in_purposes_comes_back_as_text(demo, payload):
    act = ProcessingActivity.objects.get(ref="PA-C1")
    act.purposes = payload
    act.save()
    wb = load(build("ropa-controller"))
    cell = wb["Controller record"].cell(
        row=2, column=CONTROLLER_HEADERS.index("Purposes") + 1
    )
    assert cell.data_type == "s"
    assert unneutralise(cell.value) == payload.replace("\r", "\n")
    assert not [c.coordinate for c in cells(wb) if c.data_type == "f"]


def test_empty_purposes_is_an_empty_cell(demo):
    act = ProcessingActivity.objects.get(ref="PA-C1")
    act.purposes = ""
    act.save()
    row = by(load(build("ropa-controller"))["Controller record"], "Reference")
    assert row["PA-C1"]["Purposes"] is None


# -- as of any moment -------------------------------------------------------

T0 = datetime.datetime(2024, 1, 10, 9, 0, tzinfo=datetime.UTC)
STEP = datetime.timedelta(days=1)


def controller_row_as_of(when: datetime.datetime, ref: str = "PA-S1"):
    return by(load(build("ropa-controller", when))["Controller record"], "Reference")[
        ref
    ]


@pytest.fixture
def story(db):
    """Created at T0, then one change a day: lawful basis, a data category added,
    one removed, the recipient vendor deleted."""
    with time_machine.travel(T0, tick=False):
        contacts = make_data_category(code="DC-A", name="Contacts")
        usage = make_data_category(code="DC-B", name="Usage")
        vendor = make_vendor(name="Old Mailer Ltd")
        act = make_activity(ref="PA-S1", lawful_basis="contract")
        act.data_categories.add(contacts)
        act.recipients.add(vendor)
    with time_machine.travel(T0 + STEP, tick=False):
        act.lawful_basis = "consent"
        act.save()
    with time_machine.travel(T0 + 2 * STEP, tick=False):
        act.data_categories.add(usage)
    with time_machine.travel(T0 + 3 * STEP, tick=False):
        act.data_categories.remove(contacts)
    with time_machine.travel(T0 + 4 * STEP, tick=False):
        Vendor.objects.get(pk=vendor.pk).delete()


def test_as_of_each_moment_shows_that_moment(story):
    states = [controller_row_as_of(T0 + i * STEP + STEP / 2) for i in range(5)]
    assert [s["Lawful basis"] for s in states] == [
        "Contract (Art. 6(1)(b))",
        "Consent (Art. 6(1)(a))",
        "Consent (Art. 6(1)(a))",
        "Consent (Art. 6(1)(a))",
        "Consent (Art. 6(1)(a))",
    ]
    assert [s["Categories of personal data"] for s in states] == [
        "DC-A Contacts",
        "DC-A Contacts",
        "DC-A Contacts\nDC-B Usage",
        "DC-B Usage",
        "DC-B Usage",
    ]
    assert [s["Categories of recipients"] for s in states] == [
        "Old Mailer Ltd",
        "Old Mailer Ltd",
        "Old Mailer Ltd",
        "Old Mailer Ltd",
        None,
    ]


def test_as_of_before_the_first_record_is_refused_not_an_empty_record(story):
    with pytest.raises(ReportError, match="before the inventory's first recorded"):
        build("ropa-controller", T0 - STEP)


def test_past_report_is_unchanged_by_later_edits(story):
    before = build("ropa-controller", T0 + STEP / 2)
    ProcessingActivity.objects.filter(ref="PA-S1").get().delete()
    assert build("ropa-controller", T0 + STEP / 2) == before


# -- query counts do not grow with the inventory ----------------------------


def add_customer_side() -> None:
    """A customer with a feature, a customer transfer and a TIA, so that every
    builder reads every table."""
    feature = make_feature()
    feature.activities.add(make_activity(role=ProcessingActivity.Role.PROCESSOR))
    feature.vendors.add(Vendor.objects.first())
    customer = make_customer()
    customer.features.add(feature)
    make_transfer(exporter_customer=customer, importer_entity=LegalEntity.objects.get())
    make_tia(transfer=Transfer.objects.first(), assessed_on=datetime.date(2026, 1, 1))


def queries_for(kind: str, activities: int) -> int:
    """Queries of one build on a fresh inventory of that size (rolled back)."""
    with transaction.atomic():
        populate(
            Shape(
                activities=activities,
                vendors=40,
                data_categories=20,
                activities_per_transfer=10,
            )
        )
        add_customer_side()
        assert ProcessingActivity.objects.count() == activities + 1
        with CaptureQueriesContext(connection) as ctx:
            build(kind)
        transaction.set_rollback(True)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("kind", ["ropa-controller", "ropa-processor", "tia"])
def test_query_count_does_not_grow_with_the_inventory(db, kind):
    assert queries_for(kind, 50) == queries_for(kind, 500)


def test_controller_record_prints_what_the_ico_and_cnil_templates_ask_for(db):
    with time_machine.travel("2026-02-01T09:00Z", tick=False):
        joint = make_vendor(
            name="Partner SA",
            role=Vendor.Role.JOINT_CONTROLLER,
            country="FR",
            contact="privacy@partner.example",
        )
        processor = make_vendor(
            name="Mailer Inc.", role=Vendor.Role.PROCESSOR, dpa_signed_on="2025-03-14"
        )
        email = make_data_category(
            code="DC01", name="Email", retention="2 years", ccpa_category="A,B"
        )
        activity = make_activity(ref="PA-J1", name="Co-marketing")
        activity.recipients.set([joint, processor])
        activity.data_categories.set([email])
    with time_machine.travel("2026-03-05T09:00Z", tick=False):
        activity.purposes = "Joint events"
        activity.save()

    sheet = load(build("ropa-controller"))["Controller record"]
    row = by(sheet, "Reference")["PA-J1"]
    assert row["Name and contact details of joint controller"] == (
        "Partner SA: privacy@partner.example"
    )
    assert row["Recipients (role, country)"] == (
        "Mailer Inc. (Processor, United States of America)\n"
        "Partner SA (Joint controller, France)"
    )
    assert (
        row["Link to contract with processor"] == "Mailer Inc.: DPA signed 2025-03-14"
    )
    assert row["Retention per data category"] == "DC01 Email: 2 years"
    assert row["CCPA categories"] == "DC01: A,B"
    assert row["Created"] == datetime.datetime(2026, 2, 1)
    assert row["Last changed"] == datetime.datetime(2026, 3, 5)


def test_controller_record_prints_rights_profiling_and_dpia_progress(controller):
    # UK ICO template columns 16 (rights), 17 (automated decision-making,
    # profiling) and 22 (DPIA progress); 23 (link) is the DPIA reference.
    record = by(controller["Controller record"], "Reference")
    security, billing = record["PA-C3"], record["PA-C2"]
    assert security["Rights available to individuals"].startswith("Access")
    assert "objection (Art. 21(1))" in security["Rights available to individuals"]
    assert security["Automated decision-making (Art. 22)"] == "No"
    assert security["Profiling (Art. 4(4))"] == "Yes"
    logic = security["Automated decision-making and profiling: logic and effects"]
    assert "decided by a person" in logic
    assert security["DPIA required"] == "No"  # screened; assessed voluntarily
    assert security["DPIA progress"] == "In progress"
    assert security["DPIA reference"].startswith("DPIA-2026-01")
    assert "Art. 17(3)(b)" in billing["Rights available to individuals"]
    assert billing["Profiling (Art. 4(4))"] == "No"
    assert billing["DPIA progress"] is None


def test_rights_profiling_and_dpia_progress_as_they_stood_then(db):
    with time_machine.travel("2026-02-01T09:00Z", tick=False):
        activity = make_activity(ref="PA-A1", rights_available="Access")
    with time_machine.travel("2026-03-05T09:00Z", tick=False):
        activity.rights_available = "Access, erasure"
        activity.automated_decisions = True
        activity.dpia_status = ProcessingActivity.DpiaStatus.IN_PROGRESS
        activity.save()

    then = by(
        load(
            build(
                "ropa-controller",
                as_of=datetime.datetime(2026, 2, 2, tzinfo=datetime.UTC),
            )
        )["Controller record"],
        "Reference",
    )["PA-A1"]
    now = by(load(build("ropa-controller"))["Controller record"], "Reference")["PA-A1"]
    assert then["Rights available to individuals"] == "Access"
    assert then["Automated decision-making (Art. 22)"] == "No"
    assert then["DPIA progress"] is None
    assert now["Rights available to individuals"] == "Access, erasure"
    assert now["Automated decision-making (Art. 22)"] == "Yes"
    assert now["DPIA progress"] == "In progress"


def test_every_demo_activity_has_its_source_and_the_ico_columns(controller):
    assert all(a.data_source for a in ProcessingActivity.objects.all())
    for row in records(controller["Controller record"]):
        for column in (
            "Source of the data",
            "Rights available to individuals",
            "Automated decision-making (Art. 22)",
            "Profiling (Art. 4(4))",
            "Recipients (role, country)",
            "Link to contract with processor",
            "CCPA categories",
            "Created",
            "Last changed",
        ):
            assert row[column], (row["Reference"], column)
        # The demo's past: created early in 2025, changed since.
        assert row["Created"] == datetime.datetime(2025, 1, 15)
        assert row["Created"] <= row["Last changed"]
