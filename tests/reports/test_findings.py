"""Each check of reports.findings: a record that triggers it and one that
does not; findings as of a past date; a failing check does not hide others."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from reports import findings
from reports.snapshot import Snapshot
from tests.factories import (
    make_activity,
    make_customer,
    make_data_category,
    make_feature,
    make_tia,
    make_transfer,
    make_vendor,
)
from transfers.models import CountryProfile

pytestmark = pytest.mark.django_db


def about(obj, as_of=None):
    """The findings about one object."""
    kind = obj._meta.model_name
    found = findings.current(as_of)
    return [f for f in found if (f.object_type, f.object_id) == (kind, obj.pk)]


def codes(obj, as_of=None):
    return {f.code for f in about(obj, as_of)}


def today():
    return timezone.localdate()


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- activities


def test_controller_activity_without_lawful_basis_is_an_error():
    bad = make_activity(lawful_basis=None)
    good = make_activity(lawful_basis="contract")
    assert "ACT_NO_LAWFUL_BASIS" in codes(bad)
    assert "ACT_NO_LAWFUL_BASIS" not in codes(good)
    (f,) = about(bad)
    assert f.severity == "error" and "Art. 6(1)" in f.message


def test_retired_activity_is_not_judged():
    retired = make_activity(lawful_basis=None, status="retired")
    assert codes(retired) == set()


def test_legitimate_interests_without_lia_reference():
    bad = make_activity(lawful_basis="legitimate_interests", legitimate_interest="x")
    good = make_activity(
        lawful_basis="legitimate_interests", lia_reference="LIA-2026-01"
    )
    assert "ACT_LI_NO_BALANCING_TEST" in codes(bad)
    assert "ACT_LI_NO_BALANCING_TEST" not in codes(good)


def test_special_category_data_without_art9_condition():
    health = make_data_category(special_category=True, art9_kind="health")
    bad = make_activity()
    bad.data_categories.add(health)
    good = make_activity(art9_condition="9_2_a")
    good.data_categories.add(health)
    processor = make_activity(role="processor", lawful_basis=None)
    processor.data_categories.add(health)
    assert "ACT_SPECIAL_NO_ART9" in codes(bad)
    assert "ACT_SPECIAL_NO_ART9" not in codes(good)
    assert "ACT_SPECIAL_NO_ART9" not in codes(processor)


def test_criminal_offence_data_without_art10_basis():
    criminal = make_data_category(criminal_offence=True)
    bad = make_activity()
    bad.data_categories.add(criminal)
    good = make_activity(art10_basis="Employment checks under national law")
    good.data_categories.add(criminal)
    assert "ACT_CRIMINAL_NO_ART10" in codes(bad)
    assert "ACT_CRIMINAL_NO_ART10" not in codes(good)


def test_consent_without_record_reference():
    bad = make_activity(lawful_basis="consent")
    good = make_activity(lawful_basis="consent", consent_record_reference="CRM log")
    assert "ACT_CONSENT_NO_RECORD" in codes(bad)
    assert "ACT_CONSENT_NO_RECORD" not in codes(good)


def test_dpia_required_without_reference():
    bad = make_activity(dpia_required=True)
    good = make_activity(dpia_required=True, dpia_reference="DPIA-7")
    assert "ACT_DPIA_NO_REFERENCE" in codes(bad)
    assert "ACT_DPIA_NO_REFERENCE" not in codes(good)


def test_activity_past_its_review_date():
    bad = make_activity(next_review_on=today() - timedelta(days=1))
    good = make_activity(next_review_on=today() + timedelta(days=1))
    assert "ACT_REVIEW_OVERDUE" in codes(bad)
    assert codes(good) == set()


def test_activity_not_reviewed_for_a_year_even_with_a_future_review_date():
    with time_machine.travel(timezone.now() - relativedelta(months=13), tick=False):
        stale = make_activity(next_review_on=today() + relativedelta(years=3))
        reviewed = make_activity(next_review_on=today() + relativedelta(years=3))
    reviewed.reviewed_on = today() - timedelta(days=30)
    reviewed.save()
    fresh = make_activity(next_review_on=today() + relativedelta(years=3))
    assert "ACT_NOT_REVIEWED" in codes(stale)
    assert "ACT_NOT_REVIEWED" not in codes(reviewed)
    assert "ACT_NOT_REVIEWED" not in codes(fresh)


def test_never_reviewed_counts_from_the_utc_day_it_was_recorded():
    """Recorded late on 2 March 2025 (UTC): a whole interval has passed on
    2 March 2026 only at its end, so the finding comes on 3 March."""
    with time_machine.travel("2025-03-02 23:30Z", tick=False):
        act = make_activity(next_review_on=date(2030, 1, 1))
    assert settings.REVIEW_INTERVAL_MONTHS == 12
    assert "ACT_NOT_REVIEWED" not in codes(act, at("2026-03-02 23:59"))
    late = about(act, at("2026-03-03 00:00"))
    assert [f.message[:42] for f in late if f.code == "ACT_NOT_REVIEWED"] == [
        "Never reviewed; recorded on 2025-03-02, mo"
    ]


def test_processor_activity_used_by_a_feature_no_customer_enabled():
    unused = make_activity(role="processor", lawful_basis=None)
    used = make_activity(role="processor", lawful_basis=None)
    lonely, enabled = make_feature(), make_feature()
    lonely.activities.add(unused)
    enabled.activities.add(used)
    make_customer().features.add(enabled)
    assert "ACT_PROCESSOR_NO_CUSTOMER" in codes(unused)
    assert "ACT_PROCESSOR_NO_CUSTOMER" not in codes(used)


# -- data categories and vendors


def test_data_category_without_retention():
    bad = make_data_category(retention="")
    good = make_data_category(
        retention="", retention_period=24, retention_unit="months"
    )
    assert codes(bad) == {"DC_NO_RETENTION"}
    assert codes(good) == set()


def test_processor_without_signed_dpa():
    bad = make_vendor(role="sub_processor")
    good = make_vendor(role="processor", dpa_signed_on=date(2025, 1, 1))
    controller = make_vendor(role="independent_controller")
    assert "VEN_NO_DPA" in codes(bad)
    assert "VEN_NO_DPA" not in codes(good)
    assert "VEN_NO_DPA" not in codes(controller)


def test_vendor_processing_in_a_third_country_without_a_recorded_transfer():
    implied = make_vendor(processing_countries=["DE", "IN"], role="joint_controller")
    recorded = make_vendor(processing_countries=["IN"])
    make_transfer(importer=recorded, destination="IN")
    eea_only = make_vendor(processing_countries=["DE", "FR"])
    (f,) = about(implied)
    assert f.code == "VEN_IMPLIED_TRANSFER" and "IN" in f.message
    assert "DE" not in f.message
    assert "VEN_IMPLIED_TRANSFER" not in codes(recorded)
    assert "VEN_IMPLIED_TRANSFER" not in codes(eea_only)


# -- transfers and countries


def test_transfer_to_non_adequate_country_without_mechanism():
    bad = make_transfer(destination="IN", mechanism="none")
    good = make_transfer(destination="IN", mechanism="scc")
    make_tia(transfer=good, assessed_on=today())
    assert codes(bad) == {"TRF_NO_SAFEGUARD"}
    assert codes(good) == set()


def test_transfer_needing_a_tia_without_one_or_with_an_overdue_one():
    missing = make_transfer(destination="IN")
    overdue = make_transfer(destination="IN")
    make_tia(transfer=overdue, assessed_on=today() - relativedelta(months=13))
    assert codes(missing) == {"TRF_NO_TIA"}
    assert codes(overdue) == {"TRF_TIA_OVERDUE"}


def test_us_transfer_relying_on_dpf_without_scc_fallback_is_a_warning():
    dpf = make_vendor(dpf_certified=True)
    bad = make_transfer(importer=dpf, destination="US", mechanism="adequacy")
    good = make_transfer(
        importer=dpf,
        destination="US",
        mechanism="adequacy",
        scc_signed_on=date(2025, 5, 1),
    )
    (f,) = about(bad)
    assert (f.code, f.severity) == ("TRF_DPF_NO_FALLBACK", "warning")
    assert codes(good) == set()


def test_adequacy_decision_about_to_expire_for_a_transfer_relying_on_it():
    uk = CountryProfile.objects.get(code="GB")
    make_transfer(destination="GB", mechanism="adequacy")
    uk.valid_to = today() + timedelta(days=100)
    uk.save()
    assert codes(uk) == {"CTRY_ADEQUACY_EXPIRING"}
    uk.valid_to = today() + timedelta(days=400)
    uk.save()
    assert codes(uk) == set()


def test_adequacy_expiry_matters_only_where_a_transfer_relies_on_it():
    japan = CountryProfile.objects.get(code="JP")
    japan.valid_to = today() + timedelta(days=30)
    japan.save()
    make_transfer(destination="JP", mechanism="scc")
    assert codes(japan) == set()


# -- customers


def test_hipaa_customer_whose_feature_uses_a_vendor_without_baa():
    baa, no_baa = make_vendor(baa_signed=True), make_vendor(name="Chatty Analytics")
    feature = make_feature()
    feature.vendors.add(baa, no_baa)
    hipaa = make_customer(baa_signed=True)
    hipaa.features.add(feature)
    plain = make_customer()
    plain.features.add(feature)
    (f,) = about(hipaa)
    assert f.code == "CUS_BAA_VENDOR_NO_BAA" and "Chatty Analytics" in f.message
    assert codes(plain) == set()
    no_baa.baa_signed = True
    no_baa.save()
    assert codes(hipaa) == set()


# -- the engine


def test_a_check_that_raises_becomes_a_finding_and_hides_nothing(monkeypatch):
    def broken(snap):
        raise KeyError("lawful_basis")
        yield

    monkeypatch.setattr(findings.base, "CHECKS", [broken, *findings.CHECKS])
    bad = make_activity(lawful_basis=None)
    found = findings.current()
    failed = [f for f in found if f.code == "CHECK_FAILED"]
    assert [(f.object_name, f.severity) for f in failed] == [("broken", "error")]
    assert "ACT_NO_LAWFUL_BASIS" in codes(bad)


def test_findings_as_of_a_past_date_are_those_of_that_day():
    start = timezone.now() - timedelta(days=10)
    with time_machine.travel(start, tick=False):
        activity = make_activity(lawful_basis=None)
    with time_machine.travel(start + timedelta(days=5), tick=False):
        activity.lawful_basis = "contract"
        activity.save()
    then = start + timedelta(days=1)
    assert "ACT_NO_LAWFUL_BASIS" in codes(activity, as_of=then)
    assert "ACT_NO_LAWFUL_BASIS" not in codes(activity)
    assert codes(activity, as_of=start - timedelta(days=1)) == set()


def test_review_dates_are_judged_against_the_as_of_day():
    activity = make_activity(next_review_on=today() + timedelta(days=20))
    later = Snapshot(timezone.now() + timedelta(days=30))
    assert "ACT_REVIEW_OVERDUE" not in codes(activity)
    assert any(f.code == "ACT_REVIEW_OVERDUE" for f in findings.compute(later))


def test_findings_are_sorted_errors_first_and_only_about_known_object_types(demo):
    found = findings.current()
    order = [findings.SEVERITIES.index(f.severity) for f in found]
    assert order == sorted(order)
    assert {f.object_type for f in found} <= set(findings.OBJECT_TYPES)
    assert all(f.admin_url() for f in found)


def test_select_and_by_object():
    bad = make_activity(lawful_basis=None, dpia_required=True)
    found = findings.current()
    assert {f.code for f in findings.select(found, severity="error")} >= {
        "ACT_NO_LAWFUL_BASIS"
    }
    assert all(f.severity == "warning" for f in findings.select(found, "warning"))
    grouped = findings.by_object(found)
    assert {f.code for f in grouped[("processingactivity", bad.pk)]} == {
        "ACT_NO_LAWFUL_BASIS",
        "ACT_DPIA_NO_REFERENCE",
    }
