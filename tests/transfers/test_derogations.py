"""Art. 49 derogations: the ground recorded, the second subparagraph's
documentation, no derogation for a processor flow, the ground in the record."""

import pytest

from reports.build import build
from tests.factories import (
    make_activity,
    make_customer,
    make_entity,
    make_transfer,
    make_vendor,
)
from tests.reports.helpers import by, load
from tests.reports.test_findings import about
from transfers.rules import (
    Art49Ground,
    Mechanism,
    Role,
    derogation_documentation_error,
    derogation_structural_error,
    derogation_text,
)

C, P = Role.CONTROLLER, Role.PROCESSOR


@pytest.mark.parametrize(
    ("mechanism", "exporter", "importer", "refused"),
    [
        (Mechanism.DEROGATION, C, C, False),  # occasional C2C: may rest on Art. 49
        (Mechanism.DEROGATION, C, P, True),  # our processor: structural
        (Mechanism.DEROGATION, P, P, True),  # sub-processor: structural
        (Mechanism.DEROGATION, P, C, True),
        (Mechanism.SCC, P, P, False),
    ],
)
def test_a_processor_flow_cannot_rest_on_a_derogation(
    mechanism, exporter, importer, refused
):
    assert (derogation_structural_error(mechanism, exporter, importer) is not None) is (
        refused
    )


def test_second_subparagraph_needs_its_documentation():
    second = Art49Ground.COMPELLING_LEGITIMATE_INTERESTS
    assert derogation_documentation_error(second, " ") is not None
    assert derogation_documentation_error(second, "Assessed 2026-03-01") is None
    assert derogation_documentation_error(Art49Ground.LEGAL_CLAIMS, "") is None


def test_the_record_text_names_the_ground_and_safeguards():
    assert derogation_text("49_1_e").startswith("Art. 49(1)(e): establishment")
    assert derogation_text("49_1_second", "Pseudonymised; SA informed").endswith(
        "; safeguards: Pseudonymised; SA informed"
    )


@pytest.mark.django_db
def test_processor_transfer_on_a_derogation_is_an_error_finding():
    transfer = make_transfer(
        exporter_role="processor",
        importer_role="processor",
        destination="IN",
        mechanism="derogation",
        derogation_ground="49_1_a",
    )
    (finding,) = [f for f in about(transfer) if f.code == "TRF_DEROGATION_STRUCTURAL"]
    assert finding.severity == "error"


@pytest.mark.django_db
def test_controller_record_prints_the_art49_ground():
    entity = make_entity()
    vendor = make_vendor(
        country="IN", processing_countries=["IN"], role="independent_controller"
    )
    activity = make_activity(ref="PA-D")
    activity.recipients.add(vendor)
    make_transfer(
        exporter=entity,
        importer=vendor,
        exporter_role="controller",
        importer_role="controller",
        destination="IN",
        mechanism="derogation",
        derogation_ground="49_1_b",
    ).activities.add(activity)
    rows = by(load(build("ropa-controller"))["Controller record"], "Reference")
    assert rows["PA-D"]["Transfer safeguards"] == (
        f"India ({vendor.name}): Art. 49(1)(b): necessary for a contract with "
        "the data subject "
        "or pre-contractual steps at their request"
    )


@pytest.mark.django_db
def test_a_us_customers_transfer_needs_no_safeguard_and_no_tia():
    transfer = make_transfer(
        exporter_customer=make_customer(country="US"),
        importer_entity=make_entity(),
        destination="US",
        mechanism="none",
    )
    assert not codes_of(transfer) & {"TRF_NO_SAFEGUARD", "TRF_NO_TIA"}

    uk = make_transfer(
        exporter_customer=make_customer(country="GB"),
        importer_entity=make_entity(),
        destination="US",
        mechanism="none",
    )
    assert "TRF_NO_SAFEGUARD" in codes_of(uk)


def codes_of(obj):
    return {f.code for f in about(obj)}
