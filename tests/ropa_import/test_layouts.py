"""Registers as DPOs keep them, imported unedited: the ICO controller template,
Fides' data map export, a CNIL-style French register, a DSGVO register, an
in-house English register with a changelog sheet and merged title rows, a
two-row header. Headings are the published ones; the rows are messy on
purpose."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from inventory.models import LegalEntity, ProcessingActivity, Vendor
from ropa_import import cells
from ropa_import.apply import import_ropa
from ropa_import.models import SavedMapping
from ropa_import.read import ImportFileError
from tests.factories import make_entity
from tests.ropa_import.test_import import ICO_HEADERS
from transfers.models import Transfer


def workbook(sheets: dict[str, list[list[Any]]], merge: str = "") -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        if merge and title != "Changelog":
            ws.merge_cells(merge)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def save(tmp_path: Path, data: bytes, name: str = "register.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def row_for(headers: list[str], values: dict[str, Any]) -> list[Any]:
    return [values.get(h) for h in headers]


# -- UK ICO documentation template for controllers ---------------------------


def ico_book() -> bytes:
    rows: list[list[Any]] = [
        ["Documentation of processing activities - requirements"],
        ["", "Name", "Address", "Email", "Telephone"],
        ["Controller", "Acme Ltd", "1 High St, London, United Kingdom", "a@acme.test"],
        ["Data Protection Officer", "Jane Doe", "", "dpo@acme.test", "0207"],
        ["Representative", "N/A"],
        [],
        [],
        ["Article 30 record"],
        ICO_HEADERS,
    ]
    rows.append(
        row_for(
            ICO_HEADERS,
            {
                "Business function": "Finance",
                "Purpose of processing": "Payroll\nPay staff monthly",
                "Categories of individuals": "Staff; Contractors",
                "Categories of personal data": "Bank details, Salary",
                "Categories of recipients": "HMRC; Processor; Paycorp (processor, US)",
                "Names of third countries or international organisations that "
                "personal data are transferred to (if applicable)": "United States",
                "Safeguards for exceptional transfers of personal data to third "
                "countries or international organisations (if applicable)": (
                    "SCC Module 2"
                ),
                "Retention schedule (if possible)": "6 years",
                "General description of technical and organisational security "
                "measures (if possible)": "Encryption at rest",
                "Article 6 lawful basis for processing personal data": (
                    "Art. 6(1)(b) and (c)"
                ),
                "Article 9 condition for processing special category data": "N/A",
                "Rights available to individuals": "Access, rectification",
                "Location of personal data": "SAP",
                "Data Protection Impact Assessment required?": "No",
            },
        )
    )
    return workbook({"Template": rows})


@pytest.mark.django_db
def test_ico_template_imports_unedited_with_its_contact_block(tmp_path):
    result = import_ropa(save(tmp_path, ico_book()))

    assert result.errors == []
    entity = LegalEntity.objects.get(name="Acme Ltd")
    assert entity.country.code == "GB"
    assert "Jane Doe" in entity.dpo and "dpo@acme.test" in entity.dpo
    act = ProcessingActivity.objects.get(name="Payroll")
    assert act.owner == "Finance"
    assert act.lawful_basis == "contract"
    assert bases_of(act) == ["contract", "legal_obligation"]
    assert {c.name for c in act.data_subject_categories.all()} == {
        "Staff",
        "Contractors",
    }
    assert {c.name for c in act.data_categories.all()} == {"Bank details", "Salary"}
    vendor = act.recipients.get(name="Paycorp")
    assert (vendor.role, vendor.country.code) == ("processor", "US")
    assert {v.name for v in act.recipients.all()} == {"HMRC", "Paycorp"}
    assert act.recipient_categories == "Processor"  # a kind, not a vendor
    (transfer,) = Transfer.objects.filter(activities=act)
    assert (transfer.destination.code, transfer.mechanism) == ("US", "scc")
    assert transfer.importer == vendor
    assert act.retention == "6 years"
    assert [m.name for m in act.security_measures.all()] == ["Encryption at rest"]
    assert [s.name for s in act.systems.all()] == ["SAP"]
    assert act.art9_condition == ""
    # The ICO's rights column has its own field (printed back by the record).
    assert act.rights_available == "Access, rectification"
    assert "Rights available" not in act.notes
    assert [c.header for c in result.unmapped()] == []


# -- Fides data map export (ICO-based columns, one row per data category) ----

FIDES = [
    "Fides Dataset",
    "Fides System",
    "Department or Business Function",
    "Purpose of Processing",
    "Joint Controller",
    "Categories of Individuals",
    "Categories of Personal Data (Fides Taxonomy)",
    "Categories of Recipients",
    "Link to Contract with Processor",
    "Third Country Transfers",
    "Safeguards for Exceptional Transfers of Personal Data",
    "Retention Schedule",
    "General Description of Security Measures",
    "Role or Responsibility",
    "Article 6 lawful basis for processing personal data",
    "Article 9 condition for processing special category data",
    "Legitimate interests for the processing (if applicable)",
    "Link to record of legitimate interests assessment (if applicable)",
    "Rights available to individuals",
    "Existence of automated decision-making, including profiling (if applicable)",
    "The source of the personal data (if applicable)",
    "Data Protection Impact Assessment required?",
    "Data Protection Impact Assessment progress",
    "Link to Data Protection Impact Assessment",
]


def fides_book() -> bytes:
    base = {
        "Fides Dataset": "N/A",
        "Fides System": "Demo Analytics",
        "Department or Business Function": "Marketing",
        "Purpose of Processing": "Improve the capability",
        "Joint Controller": "N/A",
        "Categories of Individuals": "customer",
        "Categories of Recipients": "N/A",
        "Third Country Transfers": "CAN, USA",
        "Safeguards for Exceptional Transfers of Personal Data": (
            "Adequacy (Canada); SCCs (US)"
        ),
        "Retention Schedule": "N/A",
        "Article 6 lawful basis for processing personal data": "Legitimate Interests",
        "Article 9 condition for processing special category data": "N/A",
        "Data Protection Impact Assessment required?": "false",
    }
    rows: list[list[Any]] = [
        ["Data Map"],
        [],
        ["Organization", "", "Demo Organization"],
        [],
        [],
        [],
        [],
        [],
        FIDES,
    ]
    for category in ("user.contact.email", "user.device.cookie_id", "user.name"):
        values = base | {"Categories of Personal Data (Fides Taxonomy)": category}
        rows.append(row_for(FIDES, values))
    return workbook({"sheet1": rows})


@pytest.mark.django_db
def test_fides_rows_per_data_category_are_one_activity(tmp_path):
    make_entity(name="Demo Organization", country="US")
    Vendor.objects.create(name="Northwind", role="processor", country="CA")
    result = import_ropa(save(tmp_path, fides_book()))

    assert result.errors == []
    (act,) = ProcessingActivity.objects.all()
    assert act.name == "Improve the capability"
    assert act.owner == "Marketing"
    assert act.lawful_basis == "legitimate_interests"
    assert sorted(c.name for c in act.data_categories.all()) == [
        "user.contact.email",
        "user.device.cookie_id",
        "user.name",
    ]
    assert [s.name for s in act.systems.all()] == ["Demo Analytics"]
    # No recipient is named: the transfers are kept in the notes, not given
    # an invented importer, and the run says so.
    assert not Transfer.objects.exists()
    assert "Transfer without a known importer: Canada: adequacy" in act.notes
    assert "Transfer without a known importer: United States of America: scc" in (
        act.notes
    )
    assert len([w for w in result.warnings if "known importer" in w]) == 2


# -- a French register (CNIL "registre" and CNPD headings) --------------------

CNIL = [
    "Nom de l'activité",
    "Finalité(s) du traitement",
    "Base légale",
    "Catégories de personnes concernées",
    "Catégories de données collectées",
    "Destinataires internes",
    "Sous-traitants",
    "Transferts hors UE",
    "Garanties",
    "Durées de conservation",
    "Mesures de sécurité",
    "Date de création de la fiche",
]


def cnil_book() -> bytes:
    rows: list[list[Any]] = [
        ["Registre des activités de traitement de ACME SAS"],
        ["Coordonnées du responsable de l'organisme"],
        ["Nom", "ACME SAS", "Adresse", "1 rue de la Paix, Paris, France"],
        [],
        CNIL,
        row_for(
            CNIL,
            {
                "Nom de l'activité": "Gestion des clients",
                "Finalité(s) du traitement": "Facturation; relation client",
                "Base légale": "Exécution du contrat et obligation légale",
                "Catégories de personnes concernées": "Clients, Prospects",
                "Catégories de données collectées": "État-civil\nDonnées de connexion",
                "Destinataires internes": "Service interne",
                "Sous-traitants": (
                    "OVH (sous-traitant, France)\nMailjet (sous-traitant, États-Unis)"
                ),
                "Transferts hors UE": "États-Unis",
                "Garanties": "Clauses contractuelles types (module 2)",
                "Durées de conservation": "3 ans à compter de la fin de la relation",
                "Mesures de sécurité": "Chiffrement des données; Contrôle d'accès",
                "Date de création de la fiche": "31.03.2026",
            },
        ),
    ]
    return workbook({"Registre": rows})


@pytest.mark.django_db
def test_french_register_imports_with_its_headings(tmp_path):
    result = import_ropa(save(tmp_path, cnil_book()))

    assert result.errors == []
    entity = LegalEntity.objects.get(name="ACME SAS")
    assert entity.country.code == "FR"
    act = ProcessingActivity.objects.get(name="Gestion des clients")
    assert act.purposes == "Facturation; relation client"
    assert act.lawful_basis == "contract"
    assert bases_of(act) == ["contract", "legal_obligation"]
    assert {c.name for c in act.data_subject_categories.all()} == {
        "Clients",
        "Prospects",
    }
    assert act.recipient_categories == "Service interne"
    vendors = {v.name: v.country.code for v in act.recipients.all()}
    assert vendors == {"OVH": "FR", "Mailjet": "US"}
    (transfer,) = Transfer.objects.filter(activities=act)
    assert (transfer.importer.name, transfer.mechanism) == ("Mailjet", "scc")
    assert transfer.exporter == entity
    assert act.retention.startswith("3 ans")
    assert {m.name for m in act.security_measures.all()} == {
        "Chiffrement des données",
        "Contrôle d'accès",
    }
    assert "Date de création de la fiche: 31.03.2026" in act.notes


# -- a German register (DSGVO Verzeichnis von Verarbeitungstätigkeiten) -------

DSGVO = [
    "Lfd. Nr.",
    "Bezeichnung der Verarbeitungstätigkeit",
    "Zwecke der Verarbeitung",
    "Rechtsgrundlage",
    "Kategorien betroffener Personen",
    "Kategorien personenbezogener Daten",
    "Kategorien von Empfängern",
    "Übermittlung in Drittländer",
    "Geeignete Garantien",
    "Löschfristen",
    "Technische und organisatorische Maßnahmen (TOM)",
    "DSFA erforderlich",
    "Nächste Überprüfung",
]


def dsgvo_book() -> bytes:
    rows = [
        ["Verzeichnis von Verarbeitungstätigkeiten"],
        DSGVO,
        row_for(
            DSGVO,
            {
                "Lfd. Nr.": "VT-01",
                "Bezeichnung der Verarbeitungstätigkeit": "Bewerbermanagement",
                "Zwecke der Verarbeitung": "Durchführung von Bewerbungsverfahren",
                "Rechtsgrundlage": "Art. 6 (1) lit. b DSGVO",
                "Kategorien betroffener Personen": "Bewerber",
                "Kategorien personenbezogener Daten": "Kontaktdaten; Lebenslauf",
                "Kategorien von Empfängern": (
                    "Fachabteilung; Personio (Auftragsverarbeiter, DE)"
                ),
                "Übermittlung in Drittländer": "nicht zutreffend",
                "Geeignete Garantien": "—",
                "Löschfristen": "6 Monate nach Abschluss",
                "Technische und organisatorische Maßnahmen (TOM)": "Verschlüsselung",
                "DSFA erforderlich": "Nein",
                "Nächste Überprüfung": "März 2027",
            },
        ),
    ]
    return workbook({"VVT": rows})


@pytest.mark.django_db
def test_german_register_imports_with_its_headings(tmp_path):
    result = import_ropa(save(tmp_path, dsgvo_book()))

    assert result.errors == []
    act = ProcessingActivity.objects.get(ref="VT-01")
    assert act.name == "Bewerbermanagement"
    assert act.lawful_basis == "contract"
    assert [c.name for c in act.data_categories.order_by("name")] == [
        "Kontaktdaten",
        "Lebenslauf",
    ]
    assert act.recipient_categories == "Fachabteilung"
    assert [(v.name, v.country.code) for v in act.recipients.all()] == [
        ("Personio", "DE")
    ]
    assert not Transfer.objects.exists()
    assert act.retention == "6 Monate nach Abschluss"
    assert act.dpia_required is False
    assert str(act.next_review_on) == "2027-03-31"


# -- in-house English register: changelog sheet, merged title rows ------------

INHOUSE = [
    "Activity",
    "Purpose",
    "Legal Basis",
    "Data Subjects",
    "Personal Data",
    "External Recipients",
    "Third Country Transfers",
    "Retention Period",
    "Source of Data",
    "Encryption",
    "Access Controls",
    "Budget code",
]


def inhouse_book(transfers: str = "None") -> bytes:
    changelog = [["Date", "Change", "Author"], ["2026-01-02", "Created", "DPO"]]
    rows = [
        ["ACME Group - Record of Processing (confidential)"],
        ["Owner: DPO office. Last reviewed March 2026."],
        [],
        INHOUSE,
        row_for(
            INHOUSE,
            {
                "Activity": "Newsletter",
                "Purpose": "Marketing e-mails",
                "Legal Basis": "Legal obligation and contract",
                "Data Subjects": "Prospects; Webinar attendees",
                "Personal Data": "Email",
                "External Recipients": "Stripe, Xero",
                "Third Country Transfers": transfers,
                "Retention Period": "2 years",
                "Source of Data": "Sign-up form",
                "Encryption": "Yes",
                "Access Controls": "Role-based access",
                "Budget code": "MKT-7",
            },
        ),
        row_for(INHOUSE, {"Activity": "Events", "Legal Basis": "Consent"}),
    ]
    return workbook({"Changelog": changelog, "Register": rows}, merge="A1:L1")


@pytest.mark.django_db
def test_inhouse_register_with_changelog_and_title_rows(tmp_path, capsys):
    path = save(tmp_path, inhouse_book())
    call_command("import_ropa", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "Columns of sheet 'Register':" in out
    assert "Budget code -> ignored (kept in notes)  [MKT-7]" in out
    assert "Legal Basis -> lawful_basis" in out
    assert "Not mapped, kept in each activity's notes: 'Budget code'" in out

    result = import_ropa(path)

    assert result.errors == []
    act = ProcessingActivity.objects.get(name="Newsletter")
    assert act.lawful_basis == "legal_obligation"
    assert bases_of(act) == ["legal_obligation", "contract"]
    assert {c.name for c in act.data_subject_categories.all()} == {
        "Prospects",
        "Webinar attendees",
    }
    assert {v.name for v in act.recipients.all()} == {"Stripe", "Xero"}
    assert not Vendor.objects.filter(name__in=["N/A", "None"]).exists()
    assert act.retention == "2 years"
    assert act.data_source == "Sign-up form"
    assert {m.name for m in act.security_measures.all()} == {
        "Encryption",
        "Role-based access",
    }
    assert "Budget code: MKT-7" in act.notes
    assert ProcessingActivity.objects.get(name="Events").lawful_basis == "consent"


# -- a two-row header --------------------------------------------------------


def two_row_book() -> bytes:
    top = ["Processing activity", "Purposes", "Transfers", None, "Retention"]
    sub = [None, None, "Country", "Safeguard", None]
    data = ["Support", "Answer tickets", "USA", "SCC Module 2", "1 year"]
    rows = [["Register"], top, sub, data, ["Hosting", "Run the app", "", "", ""]]
    return workbook({"Sheet1": rows}, merge="C2:D2")


@pytest.mark.django_db
def test_two_row_header_is_read_as_a_header(tmp_path):
    make_entity(name="Acme Group Ltd", country="GB")
    Vendor.objects.create(name="Zendesk", role="processor", country="US")
    result = import_ropa(save(tmp_path, two_row_book()))

    assert result.errors == []
    assert [c.target() for c in result.mapping] == [
        "name",
        "purposes",
        "third_countries",
        "transfer_safeguards",
        "retention",
    ]
    assert sorted(ProcessingActivity.objects.values_list("name", flat=True)) == [
        "Hosting",
        "Support",
    ]
    support = ProcessingActivity.objects.get(name="Support")
    assert support.retention == "1 year"
    assert "Transfer without a known importer: United States of America: scc" in (
        support.notes
    )


# -- the mapping: printed, overridden, saved and reused ----------------------


@pytest.mark.django_db
def test_print_mapping_then_mapping_file_overrides_and_is_reused(tmp_path, capsys):
    path = save(tmp_path, inhouse_book())
    call_command("import_ropa", str(path), "--print-mapping")
    mapping = json.loads(capsys.readouterr().out)
    assert mapping["Budget code"] == "notes"  # kept in the notes
    assert mapping["Legal Basis"] == "lawful_basis"
    assert not ProcessingActivity.objects.exists()

    mapping["Budget code"] = "ignored"
    mapping["Source of Data"] = "notes"
    file = tmp_path / "mapping.json"
    file.write_text(json.dumps(mapping))
    call_command("import_ropa", str(path), "--mapping", str(file))
    act = ProcessingActivity.objects.get(name="Newsletter")
    assert act.data_source == ""
    assert "Sign-up form" in act.notes
    assert "MKT-7" not in act.notes  # the DPO chose to leave it out
    assert SavedMapping.objects.count() == 1

    # The next file with the same headings gets the same mapping.
    again = import_ropa(path, dry_run=True)
    assert {c.header: c.field for c in again.mapping}["Source of Data"] == "notes"


@pytest.mark.django_db
def test_a_mapping_naming_an_unknown_field_exits_2(tmp_path):
    file = tmp_path / "mapping.json"
    file.write_text(json.dumps({"Budget code": "budget"}))
    with pytest.raises(CommandError, match="'budget' is not a field"):
        call_command(
            "import_ropa", str(save(tmp_path, inhouse_book())), "--mapping", str(file)
        )


# -- errors that help ---------------------------------------------------------


@pytest.mark.django_db
def test_a_bad_country_names_sheet_row_heading_and_the_closest_country(tmp_path):
    result = import_ropa(save(tmp_path, inhouse_book("Untied States")))
    (error,) = result.errors
    text = str(error)
    assert "Register row 5, column 'Third Country Transfers'" in text
    assert "'Untied States'" in text
    assert "expected a country name" in text
    assert "did you mean United States of America?" in text


@pytest.mark.django_db
def test_no_header_lists_the_sheets_looked_at(tmp_path):
    data = workbook({"Notes": [["Just some text"]], "Changelog": [["Date", "Change"]]})
    with pytest.raises(ImportFileError, match="sheets looked at: 'Notes', 'Changelog'"):
        import_ropa(save(tmp_path, data))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Art. 6(1)(b) and (c)", ["contract", "legal_obligation"]),
        ("Art. 6 (1) lit. b DSGVO", ["contract"]),
        ("Legitimate interest", ["legitimate_interests"]),
        ("Legal obligation and contract", ["legal_obligation", "contract"]),
        ("Einwilligung", ["consent"]),
        ("intérêt légitime", ["legitimate_interests"]),
        ("N/A", []),
    ],
)
def test_several_lawful_bases_in_one_cell(text, expected):
    """GDPR Art. 6(1)(a)-(f), as registers write them."""
    assert cells.parse_lawful_bases(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("United States", "US"),
        ("États-Unis", "US"),
        ("Vereinigte Staaten", "US"),
        ("Deutschland", "DE"),
        ("Royaume-Uni", "GB"),
        ("CAN", "CA"),
        ("U.S.", "US"),
    ],
)
def test_countries_in_english_french_german_or_codes(text, expected):
    assert cells.parse_country(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-31", "2026-03-31"),
        ("31.03.2026", "2026-03-31"),
        ("March 2026", "2026-03-31"),
        ("mars 2026", "2026-03-31"),
    ],
)
def test_dates_as_people_write_them(text, expected):
    assert str(cells.parse_date(text)) == expected


@pytest.mark.parametrize(
    "text", ["N/A", "n/a", "None", "-", "—", "nicht zutreffend", "néant"]
)
def test_empty_markers_are_empty(text):
    assert cells.split_items(text, commas=True) == []


def test_recipient_kinds_are_not_vendors():
    assert cells.parse_recipient("Third Party").kind
    assert cells.parse_recipient("Processor").kind
    stripe = cells.parse_recipient("Stripe (processor, US)")
    assert (stripe.name, stripe.role, stripe.country, stripe.kind) == (
        "Stripe",
        "processor",
        "US",
        False,
    )


def test_safeguards_paired_with_their_countries():
    assert cells.safeguard_countries("Adequacy (Canada)") == (["CA"], "Adequacy", "")
    assert cells.parse_mechanism("SCC Module 2") == ("scc", 2)


def bases_of(act: ProcessingActivity) -> list[str]:
    """The activity's lawful bases (Art. 6(1)), the main one first."""
    rows = act.lawful_bases.order_by("id")
    return sorted((r.basis for r in rows), key=lambda b: b != act.lawful_basis)


# -- a bracket after the country ---------------------------------------------


@pytest.mark.django_db
def test_a_bracket_after_the_country_names_a_known_importer_only(tmp_path):
    """In another register "USA (California): SCC" says where, not who: only
    a bracket naming a known vendor is taken for the importer (our own export
    names every importer so); otherwise the recipient located there is."""
    make_entity(name="Acme Group Ltd", country="GB")
    Vendor.objects.create(name="Zendesk", role="processor", country="US")
    Vendor.objects.create(name="Stripe", role="processor", country="IE")
    header = ["Processing activity", "Recipients", "Transfer safeguards"]
    rows = [
        ["Support", "Zendesk", "USA (California): SCC Module 2"],
        ["Billing", "Zendesk; Stripe", "USA (Stripe): SCC Module 2"],
    ]
    result = import_ropa(save(tmp_path, workbook({"Register": [header, *rows]})))

    assert result.errors == []
    assert not Vendor.objects.filter(name="California").exists()
    support = Transfer.objects.get(activities__name="Support")
    assert (support.importer.name, support.destination.code) == ("Zendesk", "US")
    billing = Transfer.objects.get(activities__name="Billing")
    assert (billing.importer.name, billing.destination.code) == ("Stripe", "US")
