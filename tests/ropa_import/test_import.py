"""import_ropa: ICO-style and own-layout workbooks, the round trip, dry run,
bad input (exit 2, nothing written) and the limits that protect the server."""

import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command, execute_from_command_line
from django.db import connections
from openpyxl import Workbook, load_workbook
from openpyxl.styles import PatternFill

from dsr.models import DataSubjectRequest
from inventory.chain import verify
from inventory.models import (
    Customer,
    DataCategory,
    DataSubjectCategory,
    DeletionRun,
    LegalEntity,
    Plan,
    ProcessingActivity,
    ProductFeature,
    SecurityMeasure,
    SubprocessorNotice,
    System,
    Vendor,
)
from reports.build import build
from reports.ropa import CONTROLLER_HEADERS
from reports.snapshot import tracked_models
from reports.xlsx import Sheet, build_workbook
from ropa_import import cells, headings, read
from ropa_import.apply import import_ropa
from ropa_import.read import ImportFileError
from tests.factories import (
    make_activity,
    make_data_category,
    make_entity,
    make_subject_category,
    make_transfer,
    make_vendor,
)
from transfers.models import Transfer, TransferImpactAssessment

# The UK ICO controller template's labels, verbatim (sheet "Template", row 9).
ICO_HEADERS = [
    "Business function",
    "Purpose of processing",
    "Name and contact details of joint controller (if applicable)",
    "Categories of individuals",
    "Categories of personal data",
    "Categories of recipients",
    "Link to contract with processor",
    "Names of third countries or international organisations that personal "
    "data are transferred to (if applicable)",
    "Safeguards for exceptional transfers of personal data to third countries "
    "or international organisations (if applicable)",
    "Retention schedule (if possible)",
    "General description of technical and organisational security measures "
    "(if possible)",
    "Article 6 lawful basis for processing personal data",
    "Article 9 condition for processing special category data",
    "Legitimate interests for the processing (if applicable)",
    "Link to record of legitimate interests assessment (if applicable)",
    "Rights available to individuals",
    "The source of the personal data (if applicable)",
    "Location of personal data",
    "Data Protection Impact Assessment required?",
]
ORGANISATION_HEADERS = (
    "Name",
    "Address",
    "Country",
    "Contact",
    "DPO",
    "Representative (Art. 27)",
)
GREEN = PatternFill("solid", fgColor="C6E0B4")
BLUE = PatternFill("solid", fgColor="BDD7EE")
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)


def ico_workbook(rows: list[dict[str, Any]], headers: list[str] = ICO_HEADERS) -> bytes:
    """The ICO layout: title and contact rows above a coloured header on row 9."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Template"
    ws["A1"] = "Record of processing activities: controller"
    for number, (label, value) in enumerate(
        [("Name", "Acme Ltd"), ("Address", "1 High St"), ("Email", "dpo@acme.test")],
        start=3,
    ):
        ws.cell(number, 1, label)
        ws.cell(number, 2, value)
    for col, header in enumerate(headers, start=1):
        ws.cell(9, col, header).fill = GREEN if col < 12 else BLUE
    for number, row in enumerate(rows, start=10):
        for header, value in row.items():
            ws.cell(number, headers.index(header) + 1, value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def own_workbook(
    records: list[dict[str, Any]],
    entities: list[tuple[Any, ...]] | None = None,
) -> bytes:
    """The ropa-controller layout of docs/import.md, written by reports.xlsx."""
    if entities is None:
        entities = [("Acme Group Ltd", "1 Main St", "United Kingdom", "", "", "")]
    rows = [[rec.get(h) for h in CONTROLLER_HEADERS] for rec in records]
    sheets = [
        Sheet("Organisation", ORGANISATION_HEADERS, entities),
        Sheet("Controller record", CONTROLLER_HEADERS, rows),
    ]
    return build_workbook(sheets, [("Report kind", "ropa-controller")], AS_OF)


def write(tmp_path: Path, data: bytes, name: str = "register.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_ropa", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def run_failing(path: Path, capsys: Any) -> str:
    """Run as from the shell; it must exit 2. Returns what it wrote to stderr.
    run_from_argv closes every connection on its way out, which would close the
    test's own transaction on PostgreSQL: keep them open."""
    with (
        mock.patch.object(connections, "close_all"),
        pytest.raises(SystemExit) as exited,
    ):
        execute_from_command_line(["manage.py", "import_ropa", str(path)])
    assert exited.value.code == 2
    return str(capsys.readouterr().err)


def history_counts() -> dict[str, int]:
    counts = {m.__name__: m.history.count() for m in tracked_models()}  # type: ignore[attr-defined]
    return counts | {f"{m.__name__} rows": m.objects.count() for m in tracked_models()}


def sheet_values(data: bytes, title: str) -> list[list[Any]]:
    wb = load_workbook(io.BytesIO(data))
    return [[cell.value for cell in row] for row in wb[title].iter_rows()]


# -- ICO layout -----------------------------------------------------------------


ICO_ROWS = [
    {
        "Business function": "HR",
        "Purpose of processing": "Payroll\nPay staff and report to the tax office",
        "Categories of individuals": "Employees; Contractors",
        "Categories of personal data": "Bank details; DC01 Identity",
        "Categories of recipients": "Paywise Ltd",
        "Names of third countries or international organisations that personal "
        "data are transferred to (if applicable)": "India",
        "Safeguards for exceptional transfers of personal data to third countries "
        "or international organisations (if applicable)": "SCCs",
        "Retention schedule (if possible)": "6 years after leaving",
        "General description of technical and organisational security measures "
        "(if possible)": "Encryption at rest; MFA",
        "Article 6 lawful basis for processing personal data": "Art. 6(1)(c)",
        "Article 9 condition for processing special category data": "N/A",
        "Data Protection Impact Assessment required?": "No",
        "Location of personal data": "Payroll system",
    },
    {
        "Business function": "Marketing",
        "Purpose of processing": "Newsletter",
        "Categories of individuals": "prospects",
        "Categories of personal data": "identity",
        "Article 6 lawful basis for processing personal data": "Legitimate interests",
        "Legitimate interests for the processing (if applicable)": "Direct marketing",
        "Data Protection Impact Assessment required?": "Yes",
    },
]


@pytest.mark.django_db
def test_ico_workbook_with_title_rows_imports_activities_and_history(tmp_path):
    entity = make_entity(name="Acme Ltd", country="GB")
    make_subject_category(name="Prospects")
    make_data_category(code="DC01", name="Identity")
    path = write(tmp_path, ico_workbook(ICO_ROWS), "ico register.xlsx")

    out = run(path)

    payroll = ProcessingActivity.objects.get(name="Payroll")
    assert payroll.role == "controller"
    assert payroll.owner == "HR"
    assert payroll.purposes == "Payroll\nPay staff and report to the tax office"
    assert payroll.lawful_basis == "legal_obligation"
    assert payroll.art9_condition == ""
    assert payroll.retention == "6 years after leaving"
    assert not payroll.dpia_required
    assert sorted(payroll.data_subject_categories.values_list("name", flat=True)) == [
        "Contractors",
        "Employees",
    ]
    assert sorted(payroll.data_categories.values_list("name", flat=True)) == [
        "Bank details",
        "Identity",
    ]
    assert [s.name for s in payroll.systems.all()] == ["Payroll system"]
    assert sorted(m.name for m in payroll.security_measures.all()) == [
        "Encryption at rest",
        "MFA",
    ]
    (transfer,) = Transfer.objects.filter(activities=payroll)
    assert (transfer.exporter, transfer.importer.name) == (entity, "Paywise Ltd")
    assert (transfer.destination.code, transfer.mechanism) == ("IN", "scc")
    assert (transfer.exporter_role, transfer.importer_role) == (
        "controller",
        "processor",
    )
    assert Vendor.objects.get(name="Paywise Ltd").country.code == "IN"

    newsletter = ProcessingActivity.objects.get(name="Newsletter")
    assert newsletter.lawful_basis == "legitimate_interests"
    assert newsletter.legitimate_interest == "Direct marketing"
    assert newsletter.dpia_required
    # matched case-insensitively: no second "Prospects", no second DC01
    assert DataSubjectCategory.objects.filter(name__iexact="prospects").count() == 1
    assert [c.code for c in newsletter.data_categories.all()] == ["DC01"]

    for model in (ProcessingActivity, Vendor, DataSubjectCategory, Transfer):
        reasons = set(model.history.values_list("history_change_reason", flat=True))
        assert "imported from ico register.xlsx" in reasons
    users = payroll.history.values_list("history_user__username", flat=True)
    assert set(users) == {"system: import_ropa"}  # the command, as a system actor
    assert "Template row 10: created" in out
    assert "new vendor Paywise Ltd" in out


@pytest.mark.django_db
def test_ico_header_is_found_by_name_whatever_the_case_spacing_and_position(tmp_path):
    headers = ["Rights available to individuals", "  PURPOSE   of processing ", "X"]
    headers.append("article 6 LAWFUL basis for processing personal data")
    row = {headers[1]: "Payroll", headers[3]: "contract"}
    import_ropa(write(tmp_path, ico_workbook([row], headers)))
    activity = ProcessingActivity.objects.get(name="Payroll")
    assert activity.lawful_basis == "contract"


@pytest.mark.django_db
def test_missing_required_column_is_named(tmp_path):
    headers = ["Business function", "Categories of individuals", "Retention schedule"]
    data = ico_workbook([{"Business function": "HR"}], headers)
    with pytest.raises(ImportFileError) as error:
        import_ropa(write(tmp_path, data))
    message = str(error.value)
    assert "'Template' row 9" in message
    assert "'Processing activity'" in message
    assert "Purpose of processing" in message


@pytest.mark.django_db
def test_without_known_sheet_names_the_first_sheet_with_a_header_is_used(tmp_path):
    wb = Workbook()
    wb.active.title = "Notes"
    wb.active["A1"] = "Read me first"
    ws = wb.create_sheet("Register 2026")
    ws.append(["Activity name", "Purpose", "Lawful basis"])
    ws.append(["Payroll", "Pay staff", "Contract"])
    out = io.BytesIO()
    wb.save(out)
    import_ropa(write(tmp_path, out.getvalue()))
    assert ProcessingActivity.objects.get(name="Payroll").purposes == "Pay staff"


# -- the service's own layout -------------------------------------------------

OWN_RECORD = {
    "Reference": "PA-9",
    "Processing activity": "Fraud screening",
    "Status": "Draft",
    "Owner": "Risk",
    "Purposes": "=cmd|' /C calc'!A0",
    "Lawful basis": "Legitimate interests (Art. 6(1)(f))",
    "Legitimate interests": "Preventing fraud",
    "LIA reference": "LIA-7",
    "Special category condition": "Explicit consent (Art. 9(2)(a))",
    "Art. 10 basis": "+Fraud Act s.2",
    "Categories of data subjects": "Account users\nProspects",
    "Categories of personal data": "DC01 Account identity\nDC13 Health information",
    "Special categories of data": "DC13 Health information: Health data",
    "Source of the data": "@the data subject",
    "Categories of recipients": "Acme Screening Ltd",
    "Systems": "Risk engine",
    "Third countries": "India\nUnited States of America",
    "Transfer safeguards": (
        "India: Standard contractual clauses (Art. 46(2)(c)) (SCC Module 1)\n"
        "United States of America: None"
    ),
    "Retention": "-6 months after closure",
    "Security measures": "MFA",
    "DPIA required": "Yes",
    "DPIA reference": "DPIA-3",
    "Next review": date(2027, 3, 31),
    "Rights available to individuals": "Access, objection (Art. 21(1))",
    "Automated decision-making (Art. 22)": "Yes",
    "Profiling (Art. 4(4))": "Yes",
    "Automated decision-making and profiling: logic and effects": "Risk score",
    "DPIA progress": "In progress",
}


@pytest.mark.django_db
def test_own_layout_imports_exactly_and_removes_the_formula_prefix(tmp_path):
    data = own_workbook([OWN_RECORD])
    cells = sheet_values(data, "Controller record")[1]
    record = dict(zip(CONTROLLER_HEADERS, cells, strict=True))
    assert record["Purposes"] == "'=cmd|' /C calc'!A0"  # neutralised on disk

    result = import_ropa(write(tmp_path, data))

    act = ProcessingActivity.objects.get(ref="PA-9")
    assert act.name == "Fraud screening"
    assert act.status == "draft"
    assert act.purposes == "=cmd|' /C calc'!A0"
    assert act.art10_basis == "+Fraud Act s.2"
    assert act.data_source == "@the data subject"
    assert act.retention == "-6 months after closure"
    assert act.lawful_basis == "legitimate_interests"
    assert act.art9_condition == "9_2_a"
    assert (act.lia_reference, act.dpia_reference) == ("LIA-7", "DPIA-3")
    assert act.dpia_required and act.next_review_on == date(2027, 3, 31)
    assert act.rights_available == "Access, objection (Art. 21(1))"
    assert act.automated_decisions and act.profiling
    assert act.automated_decision_logic == "Risk score"
    assert act.dpia_status == ProcessingActivity.DpiaStatus.IN_PROGRESS
    codes = [(c.code, c.name, c.art9_kind) for c in act.data_categories.all()]
    assert codes == [
        ("DC01", "Account identity", ""),
        ("DC13", "Health information", "health"),
    ]
    assert [v.name for v in act.recipients.all()] == ["Acme Screening Ltd"]
    entity = LegalEntity.objects.get(name="Acme Group Ltd")
    assert entity.country.code == "GB"
    (india,) = Transfer.objects.filter(activities=act).order_by("destination")
    assert india.exporter == entity and india.importer.name == "Acme Screening Ltd"
    assert (india.mechanism, india.exporter_role, india.importer_role) == (
        "scc",
        "controller",
        "controller",  # SCC Module 1: controller to controller
    )
    assert india.scc_module == 1
    # The one recipient is in India: no importer is invented for the US line,
    # which is kept in the notes and named in the run's warnings.
    assert "Transfer without a known importer: United States of America: none" in (
        act.notes
    )
    assert any("United States of America" in w for w in result.warnings)
    assert not Vendor.objects.filter(name__startswith="Recipient in").exists()


@pytest.mark.django_db
def test_reimport_changes_nothing_and_writes_no_history(tmp_path):
    path = write(tmp_path, own_workbook([OWN_RECORD]))
    import_ropa(path)
    before = history_counts()
    result = import_ropa(path)
    assert [r.outcome for r in result.rows] == ["unchanged", "unchanged"]
    assert history_counts() == before


@pytest.mark.django_db
def test_activity_matched_by_reference_is_updated_with_history(tmp_path):
    act = make_activity(ref="PA-9", name="Old name", purposes="Old", lawful_basis=None)
    record = {"Reference": "pa-9", "Processing activity": "Fraud screening"}
    record["Purposes"] = "Screen orders"
    result = import_ropa(write(tmp_path, own_workbook([record]), "v2.xlsx"))
    act.refresh_from_db()
    assert (act.name, act.purposes) == ("Fraud screening", "Screen orders")
    row = result.rows[-1]
    assert (row.outcome, row.fields) == ("updated", ["Processing activity", "Purposes"])
    assert act.history.first().history_change_reason == "imported from v2.xlsx"
    assert ProcessingActivity.objects.count() == 1


@pytest.mark.django_db
def test_one_history_record_per_changed_activity_with_its_sets(tmp_path):
    act = make_activity(ref="PA-9", name="A", purposes="Old", lawful_basis=None)
    record = {"Reference": "PA-9", "Processing activity": "A", "Purposes": "New"}
    record["Categories of data subjects"] = "Staff\nVisitors"
    before = act.history.count()
    import_ropa(write(tmp_path, own_workbook([record])))
    assert act.history.count() == before + 1
    latest = act.history.first()
    assert latest.purposes == "New"
    names = {s.datasubjectcategory.name for s in latest.data_subject_categories.all()}
    assert names == {"Staff", "Visitors"}


@pytest.mark.django_db
def test_a_created_activity_has_one_sealed_version_with_its_sets(tmp_path):
    record = {"Processing activity": "Payroll", "Purposes": "Pay staff"}
    record["Categories of data subjects"] = "Staff\nVisitors"
    record["Categories of recipients"] = "Acme Payroll Ltd"
    import_ropa(write(tmp_path, own_workbook([record])))
    act = ProcessingActivity.objects.get(name="Payroll")
    (version,) = act.history.all()
    assert (version.history_type, version.purposes) == ("+", "Pay staff")
    assert version.history_change_reason == "imported from register.xlsx"
    names = {s.datasubjectcategory.name for s in version.data_subject_categories.all()}
    assert names == {"Staff", "Visitors"}
    assert [r.vendor.name for r in version.recipients.all()] == ["Acme Payroll Ltd"]
    assert list(verify()) == []


@pytest.mark.django_db
def test_a_transfer_shared_by_many_rows_gets_one_history_record(tmp_path):
    make_entity(name="Acme Group Ltd", country="GB")
    make_vendor(name="Acme Screening Ltd", country="IN")
    line = {
        "Third countries": "India",
        "Transfer safeguards": "India: SCCs",
        "Categories of recipients": "Acme Screening Ltd",
    }
    rows = [{"Processing activity": f"A{i}"} | line for i in range(5)]
    import_ropa(write(tmp_path, own_workbook(rows)))
    (transfer,) = Transfer.objects.all()
    assert transfer.activities.count() == 5
    assert [h.history_type for h in transfer.history.all()] == ["~", "+"]
    for activity in ProcessingActivity.objects.all():
        assert activity.history.last().history_type == "+"


@pytest.mark.django_db
def test_activity_matched_by_name_when_no_reference(tmp_path):
    act = make_activity(name="Fraud  Screening")
    record = {"Processing activity": "fraud screening", "Purposes": "New"}
    import_ropa(write(tmp_path, own_workbook([record])))
    act.refresh_from_db()
    assert act.purposes == "New"
    assert ProcessingActivity.objects.count() == 1


@pytest.mark.django_db
def test_data_categories_match_by_code_and_name_or_name_or_code(tmp_path):
    one = make_data_category(code="DC01", name="Identity")
    two = make_data_category(code="DC02", name="Billing")
    three = make_data_category(code="DC03", name="Usage")
    cell = "dc01  identity\nbilling\nDC03"
    record = {"Processing activity": "A", "Categories of personal data": cell}
    import_ropa(write(tmp_path, own_workbook([record])))
    act = ProcessingActivity.objects.get(name="A")
    assert set(act.data_categories.all()) == {one, two, three}
    assert DataCategory.objects.count() == 3


@pytest.mark.django_db
def test_importer_is_the_one_recipient_located_in_the_country(tmp_path):
    make_entity(name="Acme Group Ltd", country="GB")
    local = make_vendor(name="Local Co", country="IN")
    make_vendor(name="Other Co", country="US")
    record = {
        "Processing activity": "A",
        "Categories of recipients": "Local Co\nOther Co",
        "Third countries": "India",
        "Transfer safeguards": "India: Binding corporate rules (Art. 47)",
    }
    import_ropa(write(tmp_path, own_workbook([record])))
    (transfer,) = Transfer.objects.all()
    assert (transfer.importer, transfer.mechanism) == (local, "bcr")


@pytest.mark.django_db
def test_a_transfer_no_longer_listed_loses_the_activity(tmp_path):
    entity = make_entity(name="Acme Group Ltd", country="GB")
    act = make_activity(ref="PA-1", name="A", purposes="", lawful_basis=None)
    old = make_transfer(exporter=entity, destination="IN", mechanism="scc")
    old.activities.add(act)
    record = {"Reference": "PA-1", "Processing activity": "A", "Third countries": ""}
    result = import_ropa(write(tmp_path, own_workbook([record])))
    assert list(old.activities.all()) == []
    assert result.rows[-1].fields == ["Transfer safeguards"]
    assert old.history.first().history_change_reason == "imported from register.xlsx"


@pytest.mark.django_db
def test_a_processor_activity_is_not_changed_by_a_controller_record(tmp_path):
    make_activity(ref="PA-P1", name="Hosting", role="processor")
    record = {"Reference": "PA-P1", "Processing activity": "Hosting"}
    result = import_ropa(write(tmp_path, own_workbook([record])))
    assert "processor activity" in str(result.errors[0])
    assert ProcessingActivity.objects.get(ref="PA-P1").role == "processor"


# -- the round trip -----------------------------------------------------------


def empty_the_inventory() -> None:
    DeletionRun.objects.all().delete()  # append-only evidence: no delete()
    for model in (
        SubprocessorNotice,  # the demo's sub-processor change announced some
        DataSubjectRequest,  # the demo's register names customers
        TransferImpactAssessment,
        Transfer,
        Customer,
        Plan,
        ProductFeature,
        ProcessingActivity,
        System,
        Vendor,
        SecurityMeasure,
        DataCategory,
        DataSubjectCategory,
        LegalEntity,
    ):
        for obj in model.objects.all():
            obj.delete()


# Dates from each record's history: an import creates the records on the day
# it runs and its versions say so (docs/import.md); they are never backdated.
HISTORY_COLUMNS = ("Created", "Last changed")


def record_columns(data: bytes) -> list[dict[str, Any]]:
    """The Controller record's rows by header, without the history dates."""
    header, *rows = sheet_values(data, "Controller record")
    assert set(HISTORY_COLUMNS) <= set(header)
    return [
        {h: v for h, v in zip(header, row, strict=True) if h not in HISTORY_COLUMNS}
        for row in rows
    ]


@pytest.mark.django_db
def test_round_trip_export_import_into_empty_database_export(tmp_path, demo):
    entity = LegalEntity.objects.get()
    act = make_activity(ref="PA-X1", name="Chargebacks", purposes="=SUM(A1:A9)")
    for vendor in ("Card Co", "Bank Co"):  # not among the activity's recipients
        transfer = make_transfer(
            exporter=entity, importer=make_vendor(name=vendor), mechanism="scc"
        )
        transfer.activities.add(act)
    first = build("ropa-controller")
    empty_the_inventory()
    assert ProcessingActivity.objects.count() == 0

    result = import_ropa(write(tmp_path, first, "export.xlsx"))

    assert result.errors == []
    assert result.warnings == []
    second = build("ropa-controller")
    assert sheet_values(second, "Organisation") == sheet_values(first, "Organisation")
    # Every column, derived ones included, transfer lines and all.
    assert record_columns(second) == record_columns(first)
    rows = {r["Reference"]: r for r in record_columns(first)}
    assert rows["PA-C1"]["Transfer safeguards"].splitlines() == [
        "Canada (Nimbus Cloud Inc.): no safeguard recorded",
        "United Kingdom (Northbridge Engineering Ltd): Adequacy decision (Art. 45)",
        *(
            f"United States of America ({name}): Adequacy decision (Art. 45), "
            "EU-US Data Privacy Framework certified"
            for name in (
                "Nimbus Cloud Inc.",
                "Postwave Email Inc.",
                "Tracelight Monitoring Inc.",
            )
        ),
    ]
    assert rows["PA-X1"]["Transfer safeguards"].splitlines() == [
        f"United States of America ({name}): Standard contractual clauses "
        "(Art. 46(2)(c)) (SCC Module 2)"
        for name in ("Bank Co", "Card Co")
    ]
    assert Vendor.objects.get(name="Nimbus Cloud Inc.").dpf_certified
    assert ProcessingActivity.objects.get(ref="PA-C1").notes == ""
    imported = ProcessingActivity.objects.get(ref="PA-X1")
    assert imported.purposes == "=SUM(A1:A9)"
    assert imported.history.last().history_change_reason == "imported from export.xlsx"
    for vendor in ("Card Co", "Bank Co"):
        transfer = Transfer.objects.get(importer__name=vendor)
        assert list(transfer.activities.all()) == [imported]

    before = history_counts()
    again = import_ropa(write(tmp_path, first, "export.xlsx"))

    assert (again.errors, again.warnings) == ([], [])
    assert {row.outcome for row in again.rows} == {"unchanged"}
    assert history_counts() == before
    assert build("ropa-controller") == second


@pytest.mark.django_db
def test_round_trip_keeps_importers_scopes_modules_and_derogations(tmp_path):
    """What decides a transfer's judgement travels in its line: the importer
    (a vendor, or our own legal entity), the partial adequacy decision it falls
    under (Art. 45(1)), the SCC module where adequacy already covers it, the
    Art. 49(1) ground and its documented safeguards."""
    entity = make_entity(name="Acme Group Ltd", country="DE")
    sister = make_entity(name="Acme US Inc", country="US")
    act = make_activity(ref="PA-1", name="Sales")
    maple = make_vendor(
        name="Maple Hosting: Backups",
        role="processor",
        country="CA",
        subject_to_pipeda=True,
    )
    mailer = make_vendor(
        name="Mailer (US) Inc.", role="independent_controller", dpf_certified=True
    )
    sahay = make_vendor(name="Sahay Ltd", role="processor", country="IN")
    partner = make_vendor(
        name="Partner GmbH",
        role="joint_controller",
        country="DE",
        contact="privacy@partner.example, +49 30 1234",
    )
    act.recipients.add(maple, mailer, sahay, partner)
    for transfer in (
        make_transfer(exporter=entity, importer=mailer, importer_role="controller"),
        make_transfer(
            exporter=entity,
            importer=sahay,
            destination="IN",
            mechanism="derogation",
            derogation_ground="49_1_second",
            derogation_safeguards="Pseudonymised before sending",
        ),
        make_transfer(exporter=entity, importer_entity=sister, mechanism="bcr"),
    ):
        transfer.activities.add(act)
    first = build("ropa-controller")
    empty_the_inventory()

    result = import_ropa(write(tmp_path, first, "export.xlsx"))

    assert (result.errors, result.warnings) == ([], [])
    assert record_columns(build("ropa-controller")) == record_columns(first)
    assert record_columns(first)[0]["Transfer safeguards"].splitlines() == [
        "Canada (Maple Hosting: Backups): Adequacy decision (Art. 45), "
        "subject to PIPEDA",
        "India (Sahay Ltd): Art. 49(1) second subparagraph: compelling legitimate "
        "interests, not repetitive, limited number of data subjects (inform the "
        "SA); safeguards: Pseudonymised before sending",
        "United States of America (Acme US Inc): Binding corporate rules (Art. 47)",
        "United States of America (Mailer (US) Inc.): Standard contractual "
        "clauses (Art. 46(2)(c)) (SCC Module 1), EU-US Data Privacy Framework "
        "certified",
    ]
    assert Transfer.objects.get(mechanism="bcr").importer_entity.name == sister.name
    assert Vendor.objects.get(name=mailer.name).dpf_certified
    assert Vendor.objects.get(name=maple.name).subject_to_pipeda
    assert Vendor.objects.get(name=partner.name).contact == partner.contact
    before = history_counts()
    import_ropa(write(tmp_path, first, "export.xlsx"))
    assert history_counts() == before


# -- dry run ------------------------------------------------------------------


@pytest.mark.django_db
def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path):
    make_entity(name="Acme Group Ltd", address="1 Main St", country="GB")
    make_activity(ref="PA-1", name="Existing", purposes="Old", lawful_basis=None)
    records = [OWN_RECORD, {"Reference": "PA-1", "Processing activity": "Existing"}]
    path = write(tmp_path, own_workbook(records))
    before = history_counts()

    out = run(path, "--dry-run")

    assert history_counts() == before
    assert "Controller record row 2: created PA-9 Fraud screening" in out
    assert "Controller record row 3: updated PA-1 Existing (Purposes)" in out
    assert "new vendor Acme Screening Ltd" in out
    assert "new data category DC13 Health information" in out
    assert "new transfer Acme Group Ltd to Acme Screening Ltd (India)" in out
    assert out.strip().splitlines()[-1].startswith("Dry run, nothing written: 1 would")


# -- bad input: exit 2, every error named, nothing written ---------------------

GOOD = {"Reference": "PA-1", "Processing activity": "Good", "Purposes": "Fine"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("record", "column", "value", "message"),
    [
        (
            {"Lawful basis": "Because we can"},
            "Lawful basis",
            "Because we can",
            "not a lawful basis",
        ),
        (
            {"Third countries": "Atlantis"},
            "Third countries",
            "Atlantis",
            "not a country",
        ),
        (
            {"Processing activity": None, "Purposes": "Orphan purpose"},
            "Processing activity",
            "",
            "missing the processing activity's name",
        ),
        ({"Next review": "next spring"}, "Next review", "next spring", "not a date"),
        (
            {"Transfer safeguards": "India: Pinky promise"},
            "Transfer safeguards",
            "India: Pinky promise",
            "not a mechanism",
        ),
    ],
)
def test_bad_cell_exits_2_naming_sheet_row_column_and_value(
    tmp_path, capsys, record, column, value, message
):
    bad = {"Reference": "PA-2", "Processing activity": "Bad"} | record
    path = write(tmp_path, own_workbook([GOOD, bad]))
    before = history_counts()

    err = run_failing(path, capsys)

    where = f"Controller record row 3, column {column!r}: {message}"
    assert where in err
    if value:
        assert f"(value: {value!r})" in err
    assert "nothing was imported" in err
    assert history_counts() == before


@pytest.mark.django_db
def test_duplicate_activity_name_in_the_file_is_an_error(tmp_path, capsys):
    dup = {"Reference": "PA-2", "Processing activity": "good "}
    path = write(tmp_path, own_workbook([GOOD, dup]))
    err = run_failing(path, capsys)
    assert (
        "Controller record row 3, column 'Processing activity': duplicate: also on "
        "row 2 of this file (value: 'good')" in err
    )
    assert ProcessingActivity.objects.count() == 0


@pytest.mark.django_db
def test_all_errors_of_all_rows_are_reported_and_no_row_is_written(tmp_path):
    rows = [
        GOOD,
        {"Processing activity": "B", "Lawful basis": "vibes", "Status": "Maybe"},
        {"Processing activity": "C", "DPIA required": "perhaps"},
    ]
    result = import_ropa(write(tmp_path, own_workbook(rows)))
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "Status"),
        (3, "Lawful basis"),
        (4, "DPIA required"),
    ]
    assert ProcessingActivity.objects.count() == 0
    assert ProcessingActivity.history.count() == 0


@pytest.mark.django_db
def test_name_already_used_by_another_reference_is_an_error(tmp_path):
    make_activity(ref="PA-1", name="Payroll")
    record = {"Reference": "PA-7", "Processing activity": "Payroll"}
    result = import_ropa(write(tmp_path, own_workbook([record])))
    (error,) = result.errors
    assert (error.column, error.value) == ("Processing activity", "Payroll")
    assert "already exists" in error.message


@pytest.mark.django_db
def test_transfers_without_a_known_exporter_are_an_error(tmp_path):
    make_entity()
    make_entity()  # two legal entities and no Organisation sheet
    wb = Workbook()
    wb.active.title = "Controller record"
    wb.active.append(["Processing activity", "Third countries"])
    wb.active.append(["A", "India"])
    out = io.BytesIO()
    wb.save(out)
    result = import_ropa(write(tmp_path, out.getvalue()))
    assert "cannot tell who exports the data" in str(result.errors[0])


# -- limits ---------------------------------------------------------------------


@pytest.mark.django_db
def test_too_big_a_file_is_refused(tmp_path, capsys, settings):
    settings.IMPORT_MAX_BYTES = 1000
    err = run_failing(write(tmp_path, own_workbook([GOOD])), capsys)
    assert "the file is too big" in err and "IMPORT_MAX_BYTES" in err


@pytest.mark.django_db
def test_more_than_50000_rows_are_refused(tmp_path, capsys):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Controller record")
    ws.append(["Processing activity", "Purposes"])
    for number in range(50_001):
        ws.append([f"Activity {number}", "p"])
    out = io.BytesIO()
    wb.save(out)
    err = run_failing(write(tmp_path, out.getvalue()), capsys)
    assert "sheet 'Controller record' has more than 50,000 rows" in err
    assert ProcessingActivity.objects.count() == 0


@pytest.mark.django_db
def test_a_text_file_is_not_a_workbook(tmp_path, capsys):
    err = run_failing(write(tmp_path, b"Name,Purpose\nPayroll,Pay\n", "r.csv"), capsys)
    assert "not an Excel workbook (.xlsx)" in err


@pytest.mark.django_db
def test_an_encrypted_workbook_is_refused(tmp_path, capsys):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)
    err = run_failing(write(tmp_path, ole), capsys)
    assert "encrypted" in err


@pytest.mark.django_db
def test_a_broken_zip_is_refused(tmp_path, capsys):
    err = run_failing(write(tmp_path, b"PK\x03\x04" + bytes(200)), capsys)
    assert "not a readable .xlsx workbook" in err


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path, capsys):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", bytes(50_000_000))
    assert len(out.getvalue()) < 100_000
    err = run_failing(write(tmp_path, out.getvalue()), capsys)
    assert "compressed more than 200:1" in err and "zip bomb" in err


@pytest.mark.django_db
def test_total_unpacked_size_is_limited(tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_UNCOMPRESSED", 2000)
    with pytest.raises(ImportFileError, match="would unpack to"):
        import_ropa(write(tmp_path, own_workbook([GOOD])))


@pytest.mark.django_db
def test_an_overlong_cell_is_a_row_error(tmp_path):
    wb = Workbook()
    wb.active.title = "Controller record"
    wb.active.append(["Processing activity", "Purposes"])
    wb.active.append(["A", "x" * 32_767])  # openpyxl cuts longer text when writing
    out = io.BytesIO()
    wb.save(out)
    longer = rewrite_part(out.getvalue(), "xl/worksheets/sheet1.xml", "x" * 40_000)
    result = import_ropa(write(tmp_path, longer))
    (error,) = result.errors
    assert (error.row, error.column) == (2, "Purposes")
    assert "longer than 32,767 characters" in error.message


def rewrite_part(data: bytes, part: str, text: str) -> bytes:
    """The workbook with the 32,767 x's in one zip part replaced by ``text``."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if info.filename == part:
                content = content.replace(b"x" * 32_767, text.encode())
            target.writestr(info, content)
    return out.getvalue()


# -- reading cells --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Legitimate interests", "legitimate_interests"),
        ("legitimate interest", "legitimate_interests"),
        ("Legitimate interests (Art. 6(1)(f))", "legitimate_interests"),
        ("Art. 6(1)(b)", "contract"),
        ("Article 6(1)(f) - preventing fraud", "legitimate_interests"),
        ("6.1(c)", "legal_obligation"),
        ("consent", "consent"),
        ("Performance of a contract", "contract"),
        ("LEGAL_OBLIGATION", "legal_obligation"),
        ("Public task", "public_task"),
        ("Vital interests (Art. 6(1)(d))", "vital_interests"),
        ("N/A", None),
        ("", None),
    ],
)
def test_lawful_basis_in_words_references_and_labels(text, expected):
    """GDPR Art. 6(1)(a)-(f), however the register wrote it."""
    assert cells.parse_lawful_bases(text) == ([expected] if expected else [])


@pytest.mark.parametrize("text", ["Because we can", "6(1)(z)"])
def test_unknown_lawful_basis_is_refused(text):
    with pytest.raises(cells.CellError, match="not a lawful basis"):
        cells.parse_lawful_bases(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Explicit consent (Art. 9(2)(a))", "9_2_a"),
        ("explicit consent", "9_2_a"),
        ("Art. 9(2)(h)", "9_2_h"),
        ("public health", "9_2_i"),
        ("Legal claims", "9_2_f"),
        ("9_2_j", "9_2_j"),
        ("none", ""),
    ],
)
def test_art9_conditions_in_words_and_references(text, expected):
    """GDPR Art. 9(2)(a)-(j)."""
    assert cells.parse_art9(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("United States of America", "US"),
        ("united   STATES of america", "US"),
        ("US", "US"),
        ("usa", "US"),
        ("UK", "GB"),
        ("Germany", "DE"),
        ("DEU", "DE"),
        ("India", "IN"),
    ],
)
def test_countries_by_english_name_iso_code_or_alias(text, expected):
    assert cells.parse_country(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Standard contractual clauses (Art. 46(2)(c)) (SCC Module 2)", ("scc", 2)),
        ("SCCs", ("scc", None)),
        ("SCCs module 3", ("scc", 3)),
        ("Adequacy decision (Art. 45)", ("adequacy", None)),
        ("Binding corporate rules (Art. 47)", ("bcr", None)),
        ("Art. 49 derogation", ("derogation", None)),
        ("None", ("none", None)),
    ],
)
def test_transfer_mechanisms_from_labels_and_words(text, expected):
    """GDPR Art. 45, 46(2)(c), 47, 49; module per Decision 2021/914."""
    assert cells.parse_mechanism(text) == expected


@pytest.mark.parametrize(
    ("text", "codes", "line"),
    [
        (
            "Canada (Nimbus Cloud Inc.): no safeguard recorded",
            ["CA"],
            cells.TransferLine("", "none", importer="Nimbus Cloud Inc."),
        ),
        (
            "United States of America (Acme (UK) Ltd): Adequacy decision (Art. 45), "
            "EU-US Data Privacy Framework certified",
            ["US"],
            cells.TransferLine(
                "", "adequacy", importer="Acme (UK) Ltd", scopes=("dpf_certified",)
            ),
        ),
        (
            "United States of America (Mailer Inc.): Standard contractual clauses "
            "(Art. 46(2)(c)) (SCC Module 3, UK Addendum), EU-US Data Privacy "
            "Framework certified",
            ["US"],
            cells.TransferLine(
                "", "scc", 3, importer="Mailer Inc.", scopes=("dpf_certified",)
            ),
        ),
        (
            "Canada (Maple Hosting: Backups): Adequacy decision (Art. 45), "
            "subject to PIPEDA",
            ["CA"],
            cells.TransferLine(
                "",
                "adequacy",
                importer="Maple Hosting: Backups",
                scopes=("subject_to_pipeda",),
            ),
        ),
        (
            "Virgin Islands (British) (Island Trust Ltd): Binding corporate rules "
            "(Art. 47)",
            ["VG"],
            cells.TransferLine("", "bcr", importer="Island Trust Ltd"),
        ),
        (
            "India (Sahay Ltd): Art. 49(1) second subparagraph: compelling "
            "legitimate interests, not repetitive, limited number of data subjects "
            "(inform the SA); safeguards: Pseudonymised before sending",
            ["IN"],
            cells.TransferLine(
                "",
                "derogation",
                importer="Sahay Ltd",
                ground="49_1_second",
                ground_safeguards="Pseudonymised before sending",
            ),
        ),
        ("India: Standard contractual clauses", ["IN"], cells.TransferLine("", "scc")),
        ("Adequacy (Canada, Japan)", ["CA", "JP"], cells.TransferLine("", "adequacy")),
    ],
)
def test_safeguard_lines_as_the_controller_record_prints_them(text, codes, line):
    """ "<country> (<importer>): <mechanism>[, <partial adequacy scope>]": the
    importer (brackets and ':' in its name too), the scope it falls under
    (Art. 45(1)), an Art. 49(1) ground; other layouts' lines as before."""
    from ropa_import.rows import parse_safeguard

    assert parse_safeguard(text) == (codes, line)


@pytest.mark.parametrize("module", [1, 2, 3, 4])
def test_module_roles_give_back_the_module(module):
    """Decision 2021/914: the roles read from a module select that module."""
    from transfers import rules

    exporter, importer = cells.MODULE_ROLES[module]
    assert rules.scc_module(rules.Role(exporter), rules.Role(importer)) == module


def test_controller_headers_all_have_a_field():
    fields = [headings.field_for(h, own=True) for h in CONTROLLER_HEADERS]
    assert fields == list(headings.OWN_FIELDS)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            "KB Representative Ltd, 10 Hatch Street, Dublin 2, Ireland (Art. 27 GDPR); "
            "UK: KB Rep UK Ltd, London",
            "IE",
        ),
        ("EU-Vertreter GmbH\nFriedrichstr. 1\n10117 Berlin\nDeutschland", "DE"),
        ("Représentant SAS, 1 rue de Rivoli, Paris, France", "FR"),
        ("Rep Ltd, 5 High Street (Dublin office)", None),
    ],
)
def test_a_representative_s_country_is_read_from_its_address(text, code):
    assert cells.country_in_address(text) == code
