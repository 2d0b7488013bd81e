"""Several lawful bases per activity, each with its purposes (Art. 6(1)), and
an Art. 9(2) condition per special category: the API, the admin, the
controller record, the findings, the import and the demo."""

import pytest
from django.urls import reverse

from inventory.models import (
    ActivityLawfulBasis,
    ProcessingActivity,
    SpecialCategoryCondition,
)
from inventory.roles import DPO
from reports import findings
from reports.build import build
from tests.api.conftest import token_client
from tests.factories import make_activity, make_data_category, make_user
from tests.reports.helpers import by, load

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(dpo):
    return token_client(dpo)


BILLING = [
    {"basis": "contract", "purposes": "Invoice subscriptions"},
    {"basis": "legal_obligation", "purposes": "Keep tax records"},
]


def url(activity=None):
    if activity is None:
        return "/api/v1/activities/"
    return f"/api/v1/activities/{activity.pk}/"


def record_row(ref):
    sheet = load(build("ropa-controller"))["Controller record"]
    return by(sheet, "Reference")[ref]


def codes(activity):
    return {
        f.code
        for f in findings.current(None)
        if (f.object_type, f.object_id) == ("processingactivity", activity.pk)
    }


def health(**kwargs):
    kwargs.setdefault("special_category", True)
    kwargs.setdefault("art9_kind", "health")
    return make_data_category(**kwargs)


# -- API


def test_api_creates_an_activity_with_two_bases_and_their_purposes(api):
    body = {"name": "Billing", "role": "controller", "lawful_bases": BILLING}

    response = api.post(url(), body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["lawful_bases"] == BILLING
    # The main basis, as clients of the single field read it: the first listed.
    assert response.json()["lawful_basis"] == "contract"
    activity = ProcessingActivity.objects.get(name="Billing")
    assert [b.basis for b in activity.lawful_bases.all()] == [
        "contract",
        "legal_obligation",
    ]
    assert ActivityLawfulBasis.history.filter(activity_id=activity.pk).count() == 2


def test_api_single_lawful_basis_keeps_working_without_the_list(api):
    response = api.post(
        url(),
        {"name": "Old", "role": "controller", "lawful_basis": "consent"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["lawful_basis"] == "consent"
    assert response.json()["lawful_bases"] == []


def test_api_refuses_a_main_basis_missing_from_the_list(api):
    body = {"name": "X", "role": "controller", "lawful_basis": "consent"}
    response = api.post(url(), {**body, "lawful_bases": BILLING}, format="json")

    assert response.status_code == 400
    assert "lawful_basis" in response.json()


def test_api_refuses_a_basis_twice_and_bases_for_a_processor(api):
    twice = [BILLING[0], {"basis": "contract", "purposes": "Again"}]
    body = {"name": "X", "role": "controller", "lawful_bases": twice}
    assert "lawful_bases" in api.post(url(), body, format="json").json()

    body = {"name": "Y", "role": "processor", "lawful_bases": BILLING[:1]}
    response = api.post(url(), body, format="json")
    assert response.status_code == 400
    assert "lawful_bases" in response.json()


def test_api_patch_replaces_the_list_one_version_per_row_changed(api):
    activity = make_activity(lawful_basis="contract")
    api.patch(url(activity), {"lawful_bases": BILLING}, format="json")
    changed = [BILLING[0], {"basis": "legal_obligation", "purposes": "Tax law"}]

    response = api.patch(url(activity), {"lawful_bases": changed}, format="json")

    assert response.status_code == 200
    row = activity.lawful_bases.get(basis="legal_obligation")
    assert [h.purposes for h in row.history.order_by("history_id")] == [
        "Keep tax records",
        "Tax law",
    ]
    # The unchanged row recorded nothing more.
    assert activity.lawful_bases.get(basis="contract").history.count() == 1
    api.patch(url(activity), {"lawful_bases": BILLING[:1]}, format="json")
    assert not ActivityLawfulBasis.objects.filter(basis="legal_obligation").exists()


def test_api_art9_condition_per_special_category(api):
    phi, biometric = health(), health(art9_kind="biometric")
    plain = make_data_category()
    activity = make_activity()
    activity.data_categories.add(phi, biometric, plain)
    conditions = [{"data_category": phi.pk, "condition": "9_2_h"}]

    response = api.patch(
        url(activity), {"special_category_conditions": conditions}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["special_category_conditions"] == conditions
    not_special = [{"data_category": plain.pk, "condition": "9_2_a"}]
    response = api.patch(
        url(activity), {"special_category_conditions": not_special}, format="json"
    )
    assert response.status_code == 400
    assert "special_category_conditions" in response.json()


def test_api_refuses_a_condition_for_a_category_the_activity_does_not_process(api):
    activity = make_activity()
    other = health()
    body = {
        "special_category_conditions": [
            {"data_category": other.pk, "condition": "9_2_a"}
        ]
    }

    response = api.patch(url(activity), body, format="json")

    assert response.status_code == 400
    assert "special_category_conditions" in response.json()


# -- admin


def test_admin_inline_saves_bases_and_refuses_a_main_basis_not_listed(client):
    client.force_login(make_user(DPO))
    activity = make_activity(lawful_basis="contract")
    page = reverse("admin:inventory_processingactivity_change", args=[activity.pk])
    form = client.get(page).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        version=form.fields["version"].initial,
        **{
            "lawful_bases-TOTAL_FORMS": "1",
            "lawful_bases-INITIAL_FORMS": "0",
            "lawful_bases-0-basis": "legal_obligation",
            "lawful_bases-0-purposes": "Tax records",
            "special_category_conditions-TOTAL_FORMS": "0",
            "special_category_conditions-INITIAL_FORMS": "0",
        },
    )

    refused = client.post(page, data)

    assert refused.status_code == 200  # the form again, with the error
    assert "must be one of the activity" in refused.content.decode()
    assert not activity.lawful_bases.exists()
    data["lawful_bases-TOTAL_FORMS"] = "2"
    data.update({"lawful_bases-1-basis": "contract", "lawful_bases-1-purposes": "Bill"})
    assert client.post(page, data).status_code == 302
    assert {b.basis for b in activity.lawful_bases.all()} == {
        "contract",
        "legal_obligation",
    }


# -- the controller record and the findings


def test_controller_record_prints_every_basis_with_its_purposes():
    activity = make_activity(ref="PA-B1", lawful_basis="legal_obligation")
    ActivityLawfulBasis.objects.create(
        activity=activity, basis="contract", purposes="Invoice subscriptions"
    )
    ActivityLawfulBasis.objects.create(
        activity=activity, basis="legal_obligation", purposes="Keep tax records"
    )

    cell = record_row("PA-B1")["Lawful basis"]

    # The main basis first.
    assert cell.splitlines() == [
        "Legal obligation (Art. 6(1)(c)): Keep tax records",
        "Contract (Art. 6(1)(b)): Invoice subscriptions",
    ]


def test_controller_record_prints_the_art9_condition_of_each_special_category():
    phi = health(code="DC-H", name="Health details")
    faces = health(code="DC-F", name="Face scans", art9_kind="biometric")
    activity = make_activity(ref="PA-B2", art9_condition="9_2_a")
    activity.data_categories.add(phi, faces)
    SpecialCategoryCondition.objects.create(
        activity=activity, data_category=phi, condition="9_2_h"
    )

    cell = record_row("PA-B2")["Special category condition"]

    assert cell.splitlines() == [
        "DC-F Face scans: Explicit consent (Art. 9(2)(a))",
        "DC-H Health details: Health or social care (Art. 9(2)(h))",
    ]


def test_special_category_without_its_own_or_the_activity_condition_is_an_error():
    phi, faces = health(), health(art9_kind="biometric")
    partly = make_activity()
    partly.data_categories.add(phi, faces)
    SpecialCategoryCondition.objects.create(
        activity=partly, data_category=phi, condition="9_2_h"
    )
    covered = make_activity()
    covered.data_categories.add(phi)
    SpecialCategoryCondition.objects.create(
        activity=covered, data_category=phi, condition="9_2_h"
    )

    assert "ACT_SPECIAL_NO_ART9" in codes(partly)
    (finding,) = [f for f in findings.current(None) if f.code == "ACT_SPECIAL_NO_ART9"]
    assert faces.name in finding.message and phi.name not in finding.message
    assert "ACT_SPECIAL_NO_ART9" not in codes(covered)


def test_a_further_basis_on_legitimate_interests_needs_its_balancing_test():
    activity = make_activity(lawful_basis="contract")
    ActivityLawfulBasis.objects.create(
        activity=activity, basis="contract", purposes="Service"
    )
    ActivityLawfulBasis.objects.create(
        activity=activity, basis="legitimate_interests", purposes="Fraud checks"
    )

    assert "ACT_LI_NO_BALANCING_TEST" in codes(activity)


# -- the demo


def test_demo_billing_rests_on_contract_and_legal_obligation(demo):
    cell = record_row("PA-C2")["Lawful basis"]

    assert cell.splitlines() == [
        "Contract (Art. 6(1)(b)): Invoice subscriptions and collect payment",
        "Legal obligation (Art. 6(1)(c)): Keep invoices and tax records for the "
        "statutory period",
    ]
