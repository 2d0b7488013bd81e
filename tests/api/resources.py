"""Every CRUD resource of docs/api.md with a way to make a record, a valid
create body and a valid change, for the parametrized API tests."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from tests.factories import (
    make_activity,
    make_customer,
    make_data_category,
    make_entity,
    make_feature,
    make_measure,
    make_request,
    make_subject_category,
    make_system,
    make_tia,
    make_transfer,
    make_vendor,
    n,
)
from transfers.models import CountryProfile


def free_country() -> dict[str, Any]:
    """Every ISO code is seeded; free one (Antarctica) to create it again."""
    CountryProfile.objects.filter(code="AQ").delete()
    return {"code": "AQ", "eea": False, "adequacy": "none"}


@dataclass
class Resource:
    path: str
    make: Callable[[], Model]
    payload: Callable[[], dict[str, Any]]
    change: dict[str, Any]
    sales_reads: bool = False

    def __str__(self) -> str:
        return self.path


def _resources() -> list[Resource]:
    return [
        Resource(
            "entities",
            make_entity,
            lambda: {"name": f"Entity X{n()}", "country": "DE"},
            {"contact": "legal@example.com"},
        ),
        Resource(
            "customers",
            make_customer,
            lambda: {"name": f"Customer X{n()}", "country": "FR"},
            {"dpo": "Jeanne Martin"},
            sales_reads=True,
        ),
        Resource(
            "features",
            make_feature,
            lambda: {"name": f"Feature X{n()}"},
            {"description": "Voice bot"},
            sales_reads=True,
        ),
        Resource(
            "data-subject-categories",
            make_subject_category,
            lambda: {"name": f"Subjects X{n()}"},
            {"description": "Website visitors"},
        ),
        Resource(
            "data-categories",
            make_data_category,
            lambda: {"code": f"DC-X{n()}", "name": f"Data X{n()}"},
            {"retention": "24 months"},
        ),
        Resource(
            "systems",
            make_system,
            lambda: {"name": f"System X{n()}", "hosting_countries": ["US", "DE"]},
            {"description": "Primary database"},
        ),
        Resource(
            "vendors",
            make_vendor,
            lambda: {"name": f"Vendor X{n()}", "role": "processor", "country": "US"},
            {"service": "Email delivery"},
            sales_reads=True,
        ),
        Resource(
            "security-measures",
            make_measure,
            lambda: {"name": f"Measure X{n()}", "annex_ii_heading": "encryption"},
            {"description": "TLS 1.3"},
        ),
        Resource(
            "activities",
            make_activity,
            lambda: {
                "name": f"Activity X{n()}",
                "role": "controller",
                "purposes": "Invoicing",
                "lawful_basis": "contract",
            },
            {"purposes": "Invoicing and dunning"},
        ),
        Resource(
            "countries",
            lambda: CountryProfile.objects.get(code="BR"),
            free_country,
            {"decision_reference": "Adequacy talks under way"},
        ),
        Resource(
            "transfers",
            make_transfer,
            lambda: {
                "exporter": make_entity().pk,
                "importer": make_vendor().pk,
                "exporter_role": "controller",
                "importer_role": "processor",
                "destination": "US",
                "mechanism": "scc",
            },
            {"notes": "Reviewed"},
        ),
        Resource(
            "tias",
            make_tia,
            lambda: {
                "transfer": make_transfer().pk,
                "outcome": "proceed",
                "assessor": "DPO",
                "assessed_on": "2026-01-01",
            },
            {"risk_rating": "low"},
        ),
        Resource(
            "requests",
            make_request,
            lambda: {
                "received_at": "2026-11-02T09:00:00Z",
                "channel": "email",
                "requester_name": f"Ada X{n()}",
                "requester_email": "ada@example.org",
                "regime": "eu",
                "rights": ["access"],
            },
            {"notes": "Called back"},
        ),
    ]


RESOURCES = _resources()
