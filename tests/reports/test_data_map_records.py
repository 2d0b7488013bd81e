"""The records and annexes read where the data goes from the data map, so
nothing typed once is missing from them (Art. 30(1)(d)/(e), 30(2)(c),
Art. 28(2)/(4), SCC Clause 9 and Annex I.B)."""

import random

import pytest

from inventory.models import (
    Customer,
    ProcessingActivity,
    ProductFeature,
    System,
    Vendor,
)
from reports.build import build
from reports.findings import compute
from reports.snapshot import Snapshot, latest_change
from tests.factories import (
    make_activity,
    make_customer,
    make_data_category,
    make_entity,
    make_feature,
    make_system,
    make_vendor,
)
from tests.reports.helpers import by, load, records
from tests.reports.test_dpa_annex import annex, field, rows, subprocessor_names
from transfers.models import CountryProfile

CUSTOMERS = ("Maison Lumière SAS", "Bayview Telehealth Inc.", "Thistle & Pine Ltd")

pytestmark = pytest.mark.once  # the SQLite pass only (.ci/run)


@pytest.fixture
def controller(demo):
    return by(load(build("ropa-controller"))["Controller record"], "Reference")


@pytest.fixture
def processor(demo):
    return {
        (r["Customer (controller)"], r["Processing category"]): r
        for r in records(load(build("ropa-processor"))["Processor record"])
    }


def cell_lines(value: str | None) -> list[str]:
    return (value or "").split("\n")


# -- ropa-controller


def test_security_activity_names_the_us_where_its_recipients_process(controller):
    # Nimbus, EdgeShield and Tracelight all process in the US (Nimbus also
    # keeps backups in Canada).
    pa_c3 = controller["PA-C3"]
    assert cell_lines(pa_c3["Third countries"]) == [
        "Canada",
        "United States of America",
    ]
    for name in (
        "EdgeShield CDN Inc.",
        "Nimbus Cloud Inc.",
        "Tracelight Monitoring Inc.",
    ):
        assert (
            f"United States of America ({name}): Adequacy decision (Art. 45), "
            "EU-US Data Privacy Framework certified"
        ) in cell_lines(pa_c3["Transfer safeguards"])
    assert "Canada (Nimbus Cloud Inc.): no safeguard recorded" in cell_lines(
        pa_c3["Transfer safeguards"]
    )


def test_support_activity_names_the_us_next_to_india(controller):
    pa_c5 = controller["PA-C5"]
    assert cell_lines(pa_c5["Third countries"]) == [
        "India",
        "United States of America",
    ]
    assert cell_lines(pa_c5["Transfer safeguards"]) == [
        "India (Sahay Support Services Pvt Ltd): Standard contractual clauses "
        "(Art. 46(2)(c)) (SCC Module 2)",
        *(
            f"United States of America ({name}): Adequacy decision (Art. 45), "
            "EU-US Data Privacy Framework certified"
            for name in ("Helpdeskly Inc.", "Postwave Email Inc.")
        ),
    ]


def test_marketing_activity_names_postwaves_us(controller):
    assert controller["PA-C6"]["Third countries"] == "United States of America"


def test_uncovered_flow_is_in_the_record_as_no_safeguard_recorded(demo):
    vendor = Vendor.objects.get(name="Postwave Email Inc.")
    vendor.dpf_certified = False
    vendor.save()

    rows_ = by(load(build("ropa-controller"))["Controller record"], "Reference")

    assert cell_lines(rows_["PA-C6"]["Transfer safeguards"]) == [
        "United States of America (Postwave Email Inc.): no safeguard recorded"
    ]


# -- ropa-processor


def test_maison_lumieres_rows_name_canada_and_the_uk(processor):
    chat = processor["Maison Lumière SAS", "AI chat"]
    assert cell_lines(chat["Third countries"]) == [
        "Canada",
        "United Kingdom",
        "United States of America",
    ]


def test_thistle_and_pines_rows_show_the_onward_transfers(processor):
    # Its data goes on under UK GDPR: the EU SCCs with the UK Addendum.
    chat = processor["Thistle & Pine Ltd", "AI chat"]
    assert "KonnectBot to Cortex AI (US), UK data" in cell_lines(chat["Transfers"])
    assert (
        "United States of America (Cortex AI Inc.): Standard contractual clauses "
        "(Art. 46(2)(c)) (SCC Module 3, UK Addendum)"
        in cell_lines(chat["Transfer safeguards"])
    )


def test_assisted_support_row_shows_india_without_safeguard(processor):
    row = processor["Thistle & Pine Ltd", "Assisted support"]
    assert "India" in cell_lines(row["Third countries"])
    assert "India (Sahay Support Services Pvt Ltd): no safeguard recorded" in (
        cell_lines(row["Transfer safeguards"])
    )


def test_sms_row_shows_textwires_missing_safeguard_only_there(processor):
    sms = processor["Thistle & Pine Ltd", "SMS channel"]
    woo = processor["Thistle & Pine Ltd", "WooCommerce integration"]
    missing = (
        "United States of America (Textwire Messaging Inc.): no safeguard recorded"
    )
    assert missing in cell_lines(sms["Transfer safeguards"])
    assert missing not in cell_lines(woo["Transfer safeguards"])


# -- dpa-annex


@pytest.mark.parametrize("customer", CUSTOMERS)
def test_northbridge_is_in_every_conversation_customers_annex_iii(demo, customer):
    assert "Northbridge Engineering Ltd" in subprocessor_names(annex(customer))


def test_annex_iii_lists_adequate_country_subprocessors_too(demo):
    rows_ = {
        r["Name"]: r for r in rows(annex(CUSTOMERS[0]), "Annex III Sub-processors")
    }
    assert rows_["Northbridge Engineering Ltd"]["Processing countries"] == (
        "United Kingdom"
    )
    assert (
        "AI chat" in rows_["Northbridge Engineering Ltd"]["Description of processing"]
    )


def test_thistles_annex_i_b_lists_attachments_and_ai_artefacts(demo):
    categories = field(annex("Thistle & Pine Ltd"), 2)
    assert "DC08 Attachments" in categories
    assert "DC12 AI artefacts" in categories


def test_each_customer_is_shown_only_the_systems_that_serve_it(demo):
    maison = field(annex("Maison Lumière SAS"), 5)
    thistle = field(annex("Thistle & Pine Ltd"), 5)
    bayview = field(annex("Bayview Telehealth Inc."), 5)
    assert "Shopify store" in maison and "WooCommerce" not in maison
    assert "WooCommerce site" in thistle and "Shopify" not in thistle
    assert "Shopify" not in bayview and "WooCommerce" not in bayview


# -- findings


def test_uncovered_flow_is_an_error_finding(demo):
    found = [
        f for f in compute(Snapshot(latest_change())) if f.code == "FLOW_NO_SAFEGUARD"
    ]
    sahay = [f for f in found if f.object_name == "Sahay Support Services Pvt Ltd"]
    (finding,) = sahay
    assert finding.severity == "error"
    assert finding.object_type == "vendor"
    assert "PA-P1" in finding.message and "Thistle & Pine Ltd" in finding.message
    assert "processor-to-processor" in finding.message


# -- a generated inventory: what the records promise holds for any inventory

COUNTRIES = ["US", "IN", "BR", "CA", "GB", "DE", "FR", "JP", "CH"]


def generate(rng: random.Random) -> None:
    """An inventory of random shape: vendors in random countries, some behind
    systems, controller and processor activities, features and customers."""
    make_entity(name="Us Inc.", country=rng.choice(COUNTRIES))
    categories = [make_data_category() for _ in range(4)]
    vendors = [
        make_vendor(
            processing_countries=rng.sample(COUNTRIES, rng.randint(0, 3)),
            country=rng.choice(COUNTRIES),
            dpf_certified=rng.random() < 0.3,
        )
        for _ in range(8)
    ]
    systems = [
        make_system(
            hosting_countries=rng.sample(COUNTRIES, rng.randint(0, 2)),
            vendor=rng.choice([None, *vendors]),
        )
        for _ in range(4)
    ]
    for _ in range(12):
        role = rng.choice(["controller", "processor"])
        act = make_activity(
            role=role, lawful_basis="contract" if role == "controller" else None
        )
        act.recipients.set(rng.sample(vendors, rng.randint(0, 3)))
        act.systems.set(rng.sample(systems, rng.randint(0, 2)))
        act.data_categories.set(rng.sample(categories, 2))
    processor_acts = list(ProcessingActivity.objects.filter(role="processor"))
    for _ in range(4):
        feature = make_feature()
        feature.activities.set(rng.sample(processor_acts, min(2, len(processor_acts))))
        feature.vendors.set(rng.sample(vendors, rng.randint(0, 2)))
        feature.systems.set(rng.sample(systems, rng.randint(0, 1)))
    features = list(ProductFeature.objects.all())
    for _ in range(3):
        make_customer(country=rng.choice(COUNTRIES)).features.set(
            rng.sample(features, rng.randint(1, 3))
        )


def outside_eea(codes: list[str]) -> set[str]:
    eea = set(CountryProfile.objects.filter(eea=True).values_list("code", flat=True))
    return {c for c in codes if c not in eea}


def country_label(code: str) -> str:
    from reports.xlsx import country_name

    return country_name(code)


@pytest.mark.parametrize("seed", range(4))
def test_every_recipients_third_country_is_in_the_activitys_record(db, seed):
    generate(random.Random(seed))
    rows_ = by(load(build("ropa-controller"))["Controller record"], "Reference")
    for act in ProcessingActivity.objects.filter(role="controller"):
        wanted = set()
        safeguards = rows_[act.ref]["Transfer safeguards"] or ""
        for vendor in act.recipients.all():
            codes = vendor.processing_country_codes() or [vendor.country.code]
            wanted |= outside_eea(codes)
            for code in outside_eea(codes):  # each line names its importer
                assert f"{country_label(code)} ({vendor.name}): " in safeguards
        shown = set(cell_lines(rows_[act.ref]["Third countries"]))
        assert {country_label(c) for c in wanted} <= shown, act.ref


@pytest.mark.parametrize("seed", range(4))
def test_every_vendor_behind_a_customers_features_is_in_its_annex_iii(db, seed):
    generate(random.Random(seed))
    for customer in Customer.objects.all():
        names = set(subprocessor_names(annex(customer.name)))
        for feature in customer.features.all():
            assert {v.name for v in feature.vendors.all()} <= names
            for system in feature.systems.exclude(vendor=None):
                if system.hosting_countries:
                    assert system.vendor.name in names
        unshown = set(Vendor.objects.values_list("name", flat=True)) - names
        serving = System.objects.filter(productfeature__customer=customer)
        assert not unshown & {
            s.vendor.name for s in serving if s.vendor and s.hosting_countries
        }
