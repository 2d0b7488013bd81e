"""TRF_NO_SAFEGUARD judges a recorded transfer under its exporter's law, and an
onward transfer of a customer's data under the customer's law: a UK transfer
on the EU SCCs alone lacks its UK Addendum or IDTA; EU adequacy (the EU-US
DPF) is not UK adequacy (the UK Extension); a US exporter's transfer needs no
Chapter V safeguard (UK GDPR Art. 46(2)(d); FADP Art. 16; GDPR Art. 44-46)."""

import pytest

from reports import findings
from tests.factories import make_customer, make_entity, make_transfer, make_vendor

pytestmark = pytest.mark.django_db

NOT_CERTIFIED: dict = {}
EU_DPF = {"dpf_certified": True}
UK_EXTENSION = {"dpf_certified": True, "uk_extension": True}
SWISS_DPF = {"dpf_certified": True, "swiss_dpf": True}


def to_us(customer_country: str, **transfer) -> dict:
    """A customer's transfer to our entity in the US."""
    return {"customer": customer_country, "importer": None, **transfer}


def to_vendor(customer_country: str, vendor: dict, **transfer) -> dict:
    """Our entity's transfer to a US vendor: our own (customer None), or an
    onward transfer hanging under the customer's transfer to us."""
    return {"customer": customer_country, "importer": vendor, **transfer}


SCC = {"mechanism": "scc"}
ADEQUACY = {"mechanism": "adequacy"}
NONE = {"mechanism": "none"}


@pytest.mark.parametrize(
    ("case", "missing"),
    [
        # customer -> our US entity
        pytest.param(to_us("FR", **SCC), False, id="EU exporter, EU SCCs"),
        pytest.param(to_us("FR", **NONE), True, id="EU exporter, nothing"),
        pytest.param(to_us("GB", **SCC), True, id="UK exporter, EU SCCs alone"),
        pytest.param(
            to_us("GB", **SCC, uk_addendum=True), False, id="UK exporter, Addendum"
        ),
        pytest.param(to_us("GB", **SCC, idta=True), False, id="UK exporter, IDTA"),
        pytest.param(to_us("CH", **SCC), True, id="Swiss exporter, EU SCCs alone"),
        pytest.param(
            to_us("CH", **SCC, swiss_adaptations=True),
            False,
            id="Swiss exporter, adapted SCCs",
        ),
        pytest.param(to_us("US", **NONE), False, id="US exporter: no Chapter V"),
        # our entity's own transfers (EU law via its Art. 27 representative)
        pytest.param(to_vendor(None, EU_DPF, **ADEQUACY), False, id="own, EU DPF"),
        pytest.param(to_vendor(None, NOT_CERTIFIED, **SCC), False, id="own, SCCs"),
        # onward transfers under a customer's transfer: the customer's law
        pytest.param(
            to_vendor("GB", EU_DPF, **ADEQUACY),
            True,
            id="UK data, EU adequacy is not UK adequacy",
        ),
        pytest.param(
            to_vendor("GB", UK_EXTENSION, **ADEQUACY), False, id="UK data, UK Extension"
        ),
        pytest.param(
            to_vendor("GB", NOT_CERTIFIED, **SCC), True, id="UK data, EU SCCs alone"
        ),
        pytest.param(
            to_vendor("GB", NOT_CERTIFIED, **SCC, uk_addendum=True),
            False,
            id="UK data, Addendum",
        ),
        pytest.param(
            to_vendor("CH", EU_DPF, **ADEQUACY), True, id="Swiss data, EU DPF only"
        ),
        pytest.param(
            to_vendor("CH", SWISS_DPF, **ADEQUACY), False, id="Swiss data, Swiss DPF"
        ),
        pytest.param(
            to_vendor("US", NOT_CERTIFIED, **NONE), False, id="US data: no Chapter V"
        ),
        pytest.param(
            to_vendor("FR", NOT_CERTIFIED, **NONE), True, id="EU data, nothing"
        ),
    ],
)
def test_trf_no_safeguard_follows_the_law_of_the_data(case, missing):
    entity = make_entity(country="US", representative_country="IE")
    case = dict(case)
    country, vendor = case.pop("customer"), case.pop("importer")
    parent = None
    if country is not None:
        customer = make_customer(country=country)
        parent = make_transfer(
            exporter_customer=customer,
            importer_entity=entity,
            mechanism="scc",
            uk_addendum=True,
            swiss_adaptations=True,
        )
    if vendor is None:
        parent.delete()
        judged = make_transfer(
            exporter_customer=customer, importer_entity=entity, **case
        )
    else:
        judged = make_transfer(
            exporter=entity,
            exporter_role="processor" if parent else "controller",
            importer=make_vendor(country="US", processing_countries=["US"], **vendor),
            parent=parent,
            **case,
        )

    found = [
        f
        for f in findings.current()
        if f.code == "TRF_NO_SAFEGUARD" and f.object_id == judged.pk
    ]

    assert bool(found) is missing


def test_the_uk_message_names_the_uk_instruments():
    customer = make_customer(country="GB")
    transfer = make_transfer(
        exporter_customer=customer, importer_entity=make_entity(), mechanism="scc"
    )

    (found,) = [
        f
        for f in findings.current()
        if f.code == "TRF_NO_SAFEGUARD" and f.object_id == transfer.pk
    ]
    assert "UK Addendum" in found.message and "IDTA" in found.message
