"""An importer itself subject to the GDPR under Art. 3(2): the 2021 SCCs do not
cover its processing (Decision (EU) 2021/914, recital 7), so relying on them is
flagged, not refused."""

import pytest

from tests.api.conftest import token_client
from tests.factories import make_customer, make_transfer, make_vendor
from tests.reports.test_findings import about
from transfers.rules import Mechanism, Regime, art3_2_importer_warning


@pytest.mark.parametrize(
    ("law", "mechanism", "flagged", "warned"),
    [
        (Regime.EU, Mechanism.SCC, True, True),  # recital 7
        (Regime.EU, Mechanism.SCC, False, False),  # the SCCs' own case
        (Regime.EU, Mechanism.ADEQUACY, True, False),  # no SCCs relied on
        (Regime.UK, Mechanism.SCC, True, False),  # UK Addendum / IDTA: UK law
        (Regime.NONE, Mechanism.SCC, True, False),  # no Chapter V transfer
    ],
)
def test_scc_with_an_importer_under_art3_2_is_warned(law, mechanism, flagged, warned):
    assert bool(art3_2_importer_warning(law, mechanism, flagged)) is warned


@pytest.mark.django_db
def test_finding_names_the_transfer_to_an_importer_under_art3_2():
    flagged = make_transfer(importer=make_vendor(subject_to_gdpr=True))
    plain = make_transfer(importer=make_vendor())
    uk = make_transfer(
        exporter=None,
        exporter_customer=make_customer(country="GB"),
        exporter_role="controller",
        importer=make_vendor(subject_to_gdpr=True),
    )

    (finding,) = [f for f in about(flagged) if f.code == "TRF_IMPORTER_ART3_2"]
    assert finding.severity == "warning"
    assert "recital 7" in finding.message
    assert "TRF_IMPORTER_ART3_2" not in {f.code for f in about(plain)}
    assert "TRF_IMPORTER_ART3_2" not in {f.code for f in about(uk)}


@pytest.mark.django_db
def test_vendor_api_reads_and_writes_the_art3_2_flag(dpo):
    vendor = make_vendor()
    api = token_client(dpo)

    response = api.patch(
        f"/api/v1/vendors/{vendor.pk}/", {"subject_to_gdpr": True}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["subject_to_gdpr"] is True
    vendor.refresh_from_db()
    assert vendor.subject_to_gdpr
