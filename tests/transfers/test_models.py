from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_tia, make_transfer, make_vendor
from transfers.models import CountryProfile, Transfer


@pytest.mark.django_db
def test_register_is_seeded_with_every_country_the_eea_and_adequacy():
    assert CountryProfile.objects.count() == 249
    assert CountryProfile.objects.filter(eea=True).count() == 30
    us = CountryProfile.objects.get(code="US")
    assert (us.adequacy, us.scope) == ("partial", "dpf")
    assert "2023/1795" in us.decision_reference
    gb = CountryProfile.objects.get(code="GB")
    assert gb.adequacy == "full" and gb.valid_to.year == 2031
    assert CountryProfile.objects.get(code="BR").adequacy == "full"
    assert CountryProfile.objects.get(code="CA").scope == "commercial"
    assert CountryProfile.objects.get(code="IN").adequacy == "none"
    assert us.history.count() == 1


@pytest.mark.django_db
def test_transfer_flags_follow_an_adequacy_change_with_history():
    transfer = make_transfer(destination="BR", mechanism="adequacy")
    assert transfer.assess().adequacy_covers
    assert not transfer.safeguard_required and transfer.scc_module is None

    brazil = CountryProfile.objects.get(code="BR")
    brazil.adequacy = "none"
    brazil._change_reason = "decision annulled"
    brazil.save()

    assert transfer.safeguard_required
    assert transfer.scc_module == 2
    assert transfer.tia_required  # adequacy claimed, not covered: an open question
    latest = brazil.history.first()
    assert (latest.adequacy, latest.history_change_reason) == (
        "none",
        "decision annulled",
    )
    assert brazil.history.count() == 2


@pytest.mark.django_db
def test_us_transfer_needs_scc_unless_importer_is_dpf_certified():
    certified = make_transfer(importer=make_vendor(dpf_certified=True))
    plain = make_transfer(importer=make_vendor(dpf_certified=False))
    assert not certified.safeguard_required
    assert plain.safeguard_required and plain.scc_module == 2 and plain.tia_required


@pytest.mark.django_db
def test_eea_destination_is_not_a_transfer():
    transfer = make_transfer(destination="DE", mechanism="none")
    result = transfer.assess()
    assert not result.is_transfer and not result.safeguard_required
    assert result.scc_module is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field",
    [
        ({"mechanism": "adequacy", "destination": "IN"}, "mechanism"),
        ({"mechanism": "adequacy"}, "mechanism"),  # US importer without DPF
        ({"mechanism": "derogation"}, "derogation_ground"),
        ({"destination": "XX"}, "destination"),
    ],
)
def test_self_contradictory_transfer_is_refused_naming_the_field(changes, field):
    transfer = make_transfer(importer=make_vendor(dpf_certified=False))
    for name, value in changes.items():
        setattr(transfer, name, value)
    with pytest.raises(ValidationError) as error:
        transfer.full_clean()
    assert field in error.value.message_dict


@pytest.mark.django_db
def test_missing_safeguard_is_recorded_not_rejected():
    transfer = make_transfer(destination="IN", mechanism="none")
    transfer.full_clean()
    assert Transfer.objects.filter(pk=transfer.pk).exists()
    assert transfer.safeguard_required


@pytest.mark.django_db
def test_tia_review_defaults_to_twelve_months_and_cannot_precede_assessment():
    tia = make_tia(assessed_on=date(2026, 2, 10))
    assert str(tia.next_review_on) == "2027-02-10"
    tia.next_review_on = tia.assessed_on.replace(year=2025)
    with pytest.raises(ValidationError) as error:
        tia.full_clean()
    assert "next_review_on" in error.value.message_dict


@pytest.mark.django_db
def test_transfer_admin_says_what_is_missing_in_words(dpo_client):
    transfer = make_transfer(destination="IN", mechanism="none", name="To India")
    page = dpo_client.get(f"/admin/transfers/transfer/{transfer.pk}/change/")
    assert page.status_code == 200
    assert b"MISSING: a safeguard is required" in page.content
    listing = dpo_client.get("/admin/transfers/transfer/")
    assert b"To India" in listing.content
