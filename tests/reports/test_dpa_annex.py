import io
from datetime import timedelta

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.build import build
from reports.params import ReportError
from tests.factories import (
    make_activity,
    make_customer,
    make_data_category,
    make_entity,
    make_feature,
    make_measure,
    make_subject_category,
    make_transfer,
    make_vendor,
)

SHEETS = [
    "Annex I.A Parties",
    "Annex I.B Transfer",
    "Annex I.C Authority",
    "Annex II Measures",
    "Annex III Sub-processors",
    "Sub-processor notices",
    "Manifest",
]

pytestmark = pytest.mark.once  # the SQLite pass only (.ci/run)


def annex(customer: str, **params) -> openpyxl.Workbook:
    return openpyxl.load_workbook(
        io.BytesIO(build("dpa-annex", customer=customer, **params))
    )


def rows(wb: openpyxl.Workbook, title: str) -> list[dict]:
    """Data rows of a sheet as dicts keyed by the header row."""
    values = list(wb[title].iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def subprocessor_names(wb: openpyxl.Workbook) -> list[str]:
    return [r["Name"] for r in rows(wb, "Annex III Sub-processors")]


def field(wb: openpyxl.Workbook, number: int) -> str:
    """Annex I.B's description under the template heading ``number``."""
    (row,) = [
        r for r in rows(wb, "Annex I.B Transfer") if r["Field"].startswith(f"{number}.")
    ]
    return row["Description"]


def make_processor_setup(**customer_fields):
    """An entity, one processor activity behind one feature, one vendor."""
    entity = make_entity(name="Acme Bots Inc.", representative="Acme Rep, Dublin")
    subjects = make_subject_category(name="Web visitors")
    data = make_data_category(code="DC-X", name="Chat text", retention="6 months")
    measure = make_measure(name="Disk encryption", annex_ii_heading="at_rest")
    activity = make_activity(
        ref="PA-X", name="Chat hosting", role="processor", purposes="Host chats"
    )
    activity.data_subject_categories.add(subjects)
    activity.data_categories.add(data)
    activity.security_measures.add(measure)
    vendor = make_vendor(
        name="Hosty LLC", service="Hosting", processing_countries=["US"]
    )
    feature = make_feature(name="Chat")
    feature.activities.add(activity)
    feature.vendors.add(vendor)
    customer_fields.setdefault("name", "Client GmbH")
    customer_fields.setdefault("country", "DE")
    customer = make_customer(**customer_fields)
    customer.features.add(feature)
    return entity, customer, feature, activity


# -- the demo inventory


def test_sheets_are_the_five_annexes_then_the_manifest(demo):
    wb = annex("Maison Lumière SAS")

    assert wb.sheetnames == SHEETS
    assert [c.value for c in wb["Annex I.B Transfer"][1]] == ["Field", "Description"]
    assert wb["Annex I.A Parties"]["A1"].value == "Party"


def test_subprocessors_follow_each_customers_enabled_features(demo):
    maison = subprocessor_names(annex("Maison Lumière SAS"))
    bayview = subprocessor_names(annex("Bayview Telehealth Inc."))
    thistle = subprocessor_names(annex("Thistle & Pine Ltd"))

    # Transcript emails: Maison only, and disabled for the BAA customer.
    assert "Postwave Email Inc." in maison
    assert "Postwave Email Inc." not in bayview
    # Assisted support: Thistle & Pine only.
    assert "Sahay Support Services Pvt Ltd" in thistle
    assert "Sahay Support Services Pvt Ltd" not in maison + bayview
    # A vendor no customer feature uses is in nobody's Annex III.
    assert "Paylane Payments Ltd" not in maison + bayview + thistle
    assert maison == sorted(maison)


def test_subprocessor_row_describes_service_and_features(demo):
    wb = annex("Maison Lumière SAS")
    (postwave,) = [
        r
        for r in rows(wb, "Annex III Sub-processors")
        if r["Name"] == "Postwave Email Inc."
    ]

    assert postwave["Address"] == "77 Harbor Road, Boston, MA, USA"
    assert postwave["Contact"] == "privacy@postwave.example"
    assert postwave["Processing countries"] == "United States of America"
    assert "Transactional email delivery" in postwave["Description of processing"]
    assert "Transcript emails" in postwave["Description of processing"]
    assert postwave["DPF certified"] == "Yes"


def test_hipaa_customer_sees_which_subprocessors_signed_a_baa(demo):
    bayview = rows(annex("Bayview Telehealth Inc."), "Annex III Sub-processors")
    by_name = {r["Name"]: r for r in bayview}
    phi = "PHI allowed (HIPAA, 45 CFR 164.502(e))"

    assert by_name["Tracelight Monitoring Inc."]["HIPAA BAA signed"] == "No"
    assert by_name["Tracelight Monitoring Inc."][phi].startswith("No")
    assert by_name["Nimbus Cloud Inc."]["HIPAA BAA signed"] == "Yes"
    assert by_name["Nimbus Cloud Inc."][phi].startswith("Yes")
    maison = annex("Maison Lumière SAS")["Annex III Sub-processors"]
    assert phi not in [c.value for c in maison[1]]


def test_authority_for_the_french_customer_is_the_cnil(demo):
    (row,) = rows(annex("Maison Lumière SAS"), "Annex I.C Authority")

    assert row["Data exporter"] == "Maison Lumière SAS"
    assert row["Established in"] == "France"
    assert "CNIL" in row["Competent supervisory authority"]
    assert row["Clause 13"].startswith("Clause 13(a): the data exporter is established")


def test_parties_are_the_customer_as_exporter_and_us_as_importer(demo):
    exporter, importer = rows(annex("Maison Lumière SAS"), "Annex I.A Parties")

    assert exporter["Party"] == "Data exporter"
    assert exporter["Name"] == "Maison Lumière SAS"
    assert exporter["Role"] == "Controller"
    assert exporter["DPO"] == "dpo@lumiere.example"
    # Left for the signatories, not pre-filled with the DPA's date.
    for column in ("Signatory name", "Signatory position", "Signature", "Date"):
        assert exporter[column] is None and importer[column] is None
    assert (
        "Shopify integration" in exporter["Activities relevant to the data transferred"]
    )
    assert importer["Name"] == "KonnectBot, Inc."
    assert importer["Role"] == "Processor"
    assert "Dublin" in importer["Representative (Art. 27)"]
    assert "PA-P2" in importer["Activities relevant to the data transferred"]
    for party in (exporter, importer):
        assert party["SCC module"] == "Module 2: controller to processor"
        assert "docking clause: included" in party["SCC options"]
        assert (
            "Option 2: general written authorisation, 30 days" in party["SCC options"]
        )
        assert "UK Addendum" not in party["SCC options"]


def test_uk_customer_gets_option_one_and_the_uk_addendum(demo):
    exporter, _ = rows(annex("Thistle & Pine Ltd"), "Annex I.A Parties")

    assert "Option 1: specific prior authorisation" in exporter["SCC options"]
    assert "UK Addendum" in exporter["SCC options"]
    assert "docking clause: not included" in exporter["SCC options"]


def test_description_of_transfer_has_every_template_heading(demo):
    wb = annex("Bayview Telehealth Inc.")
    fields = [r["Field"] for r in rows(wb, "Annex I.B Transfer")]

    assert [f.split(".")[0] for f in fields] == [str(i) for i in range(1, 9)]
    assert all(r["Description"] for r in rows(wb, "Annex I.B Transfer"))
    assert field(wb, 4) == "Continuous, for the term of the agreement"
    assert "End users" in field(wb, 1)
    assert "DC07 Conversation content" in field(wb, 2)
    assert "Cortex AI Inc." in field(wb, 8)
    assert "Postwave" not in field(wb, 8)


def test_sensitive_data_is_listed_with_the_measures_protecting_it(demo):
    bayview = field(annex("Bayview Telehealth Inc."), 3)
    maison = annex("Maison Lumière SAS")

    assert "DC13 Health information (PHI): Health data" in bayview
    assert "AES-256 encryption at rest" in bayview
    assert "business associate agreement" in bayview
    # Maison's transfer record scopes its data to DC07-DC12: no health data.
    assert field(maison, 3).startswith("None intended")
    assert "DC13" not in field(maison, 2)
    assert "DC11 E-commerce order context" in field(maison, 2)


def test_measures_follow_the_annex_ii_heading_order(demo):
    measures = rows(annex("Maison Lumière SAS"), "Annex II Measures")
    headings = [r["Annex II heading"] for r in measures]

    assert headings[0] == "Pseudonymisation and encryption"
    assert headings.index("Protection of data in transit") < headings.index(
        "Protection of data at rest"
    )
    tls = [r for r in measures if r["Measure"] == "TLS 1.2+ for all traffic"]
    assert "PA-P1" in tls[0]["Applies to"]


def test_customer_name_matches_case_insensitively(demo):
    wb = annex("  maison lumière sas ")
    assert rows(wb, "Annex I.A Parties")[0]["Name"] == "Maison Lumière SAS"


def test_unknown_or_missing_customer_is_a_report_error(demo):
    with pytest.raises(ReportError, match="unknown customer 'Maison'"):
        build("dpa-annex", customer="Maison")
    with pytest.raises(ReportError, match="--customer"):
        build("dpa-annex")
    with pytest.raises(ReportError, match="--customer"):
        build("dpa-annex", customer="")


def test_same_inventory_gives_identical_bytes(demo):
    first = build("dpa-annex", customer="Bayview Telehealth Inc.")
    assert build("dpa-annex", customer="Bayview Telehealth Inc.") == first


def test_annex_sheets_print_landscape_one_page_wide(demo):
    sheet = annex("Maison Lumière SAS")["Annex I.A Parties"]

    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"
    # Wrapped text gets a row tall enough for it (LibreOffice does not fit rows).
    assert sheet.row_dimensions[3].height > 4 * 15


# -- small factory inventories


@pytest.mark.django_db
def test_only_enabled_features_contribute(db):
    make_processor_setup()
    other = make_feature(name="Voice")
    other.vendors.add(make_vendor(name="Voicey Ltd"))
    other.activities.add(make_activity(role="processor", name="Voice calls"))

    wb = annex("Client GmbH")

    assert subprocessor_names(wb) == ["Hosty LLC"]
    assert "Voice calls" not in field(wb, 6)
    assert "PA-X Chat hosting: Host chats" in field(wb, 6)
    assert "DC-X Chat text: 6 months" in field(wb, 7)
    measures = [r["Measure"] for r in rows(wb, "Annex II Measures")]
    assert [m for m in measures if not m.startswith("Not applicable")] == [
        "Disk encryption"
    ]


@pytest.mark.django_db
def test_without_a_recorded_transfer_module_two_and_the_first_entity(db):
    make_processor_setup()

    exporter, importer = rows(annex("Client GmbH"), "Annex I.A Parties")

    assert importer["Name"] == "Acme Bots Inc."
    assert exporter["SCC module"] == "Module 2: controller to processor"
    assert "docking clause: not included" in exporter["SCC options"]


@pytest.mark.django_db
def test_module_follows_the_customers_recorded_transfer(db):
    entity, customer, _, _ = make_processor_setup()
    make_transfer(
        exporter=None,
        exporter_customer=customer,
        importer=None,
        importer_entity=entity,
        exporter_role="controller",
        importer_role="controller",
        destination="IN",
        swiss_adaptations=True,
    )

    exporter, importer = rows(annex("Client GmbH"), "Annex I.A Parties")

    assert exporter["SCC module"] == "Module 1: controller to controller"
    assert importer["Role"] == "Controller"
    assert "Swiss adaptations" in exporter["SCC options"]


@pytest.mark.django_db
def test_transfer_to_an_adequate_country_needs_no_module(db):
    entity, customer, _, _ = make_processor_setup()
    make_transfer(
        exporter=None,
        exporter_customer=customer,
        importer=None,
        importer_entity=entity,
        destination="CH",
    )

    exporter, _ = rows(annex("Client GmbH"), "Annex I.A Parties")

    assert exporter["SCC module"].startswith("None needed")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # Clause 13(a): exporter established in a Member State.
        ({"country": "DE"}, "BfDI or the competent Land data protection authority"),
        ({"country": "FR", "supervisory_authority": "Some SA"}, "(CNIL), France"),
        # Not established in the EEA, Art. 27 representative in a Member State.
        (
            {
                "country": "US",
                "representative": "Rep BV",
                "representative_country": "NL",
            },
            "Autoriteit Persoonsgegevens (AP), Netherlands",
        ),
        # UK and Swiss exporters: their own regulators.
        ({"country": "GB"}, "Information Commissioner's Office (ICO)"),
        ({"country": "CH"}, "(FDPIC), Switzerland"),
        # Not subject to the GDPR: no SCCs, never the importer's representative.
        ({"country": "US"}, "Not applicable: the SCCs do not apply"),
    ],
)
@pytest.mark.django_db
def test_competent_authority_per_clause_13(db, fields, expected):
    make_processor_setup(**fields)

    (row,) = rows(annex("Client GmbH"), "Annex I.C Authority")

    assert expected in row["Competent supervisory authority"]
    assert row["Clause 13"]


@pytest.mark.django_db
def test_annex_as_of_a_past_date_lists_the_subprocessors_of_then(db):
    start = timezone.now() - timedelta(days=10)
    with time_machine.travel(start, tick=False):
        _, _, feature, _ = make_processor_setup()
    with time_machine.travel(start + timedelta(days=5), tick=False):
        feature.vendors.add(make_vendor(name="Later Inc."))

    before = annex("Client GmbH", as_of=start + timedelta(days=1))
    after = annex("Client GmbH")

    assert subprocessor_names(before) == ["Hosty LLC"]
    assert subprocessor_names(after) == ["Hosty LLC", "Later Inc."]


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_inventory(db):
    _, customer, _, activity = make_processor_setup()

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            build("dpa-annex", customer="Client GmbH")
        return len(ctx.captured_queries)

    small = queries()
    for i in range(10):
        feature = make_feature(name=f"Extra {i}")
        feature.vendors.add(make_vendor(name=f"Extra vendor {i}"))
        feature.activities.add(activity)
        customer.features.add(feature)
    assert len(subprocessor_names(annex("Client GmbH"))) == 11
    assert queries() == small


@pytest.mark.django_db
def test_no_legal_entity_is_a_report_error(db):
    customer = make_customer(name="Lonely SA")
    customer.features.add(make_feature())

    with pytest.raises(ReportError, match="no legal entity"):
        build("dpa-annex", customer="Lonely SA")
