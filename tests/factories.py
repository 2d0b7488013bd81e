"""Plain factory functions (djangoproject.com style): kwargs.setdefault."""

from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

from django.contrib.auth.models import Group, User

from dsr.models import DataSubjectRequest
from inventory.models import (
    Customer,
    DataCategory,
    DataSubjectCategory,
    DeletionRun,
    LegalEntity,
    Plan,
    PlanLimit,
    ProcessingActivity,
    ProductFeature,
    Region,
    SecurityMeasure,
    System,
    Vendor,
)
from transfers.models import Transfer, TransferImpactAssessment

_seq = count(1)


def n() -> int:
    return next(_seq)


def make_user(group: str | None = None, **kwargs: Any) -> User:
    kwargs.setdefault("username", f"user{n()}")
    kwargs.setdefault("is_staff", True)
    user = User.objects.create_user(password="pw", **kwargs)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_entity(**kwargs: Any) -> LegalEntity:
    kwargs.setdefault("name", f"Entity {n()}")
    kwargs.setdefault("country", "US")
    # Like KonnectBot: established in the US, subject to the GDPR under Art.
    # 3(2) with an Art. 27 representative in Ireland, so Chapter V applies.
    kwargs.setdefault("representative_country", "IE")
    return LegalEntity.objects.create(**kwargs)


def make_subject_category(**kwargs: Any) -> DataSubjectCategory:
    kwargs.setdefault("name", f"Subjects {n()}")
    return DataSubjectCategory.objects.create(**kwargs)


def make_data_category(**kwargs: Any) -> DataCategory:
    i = n()
    kwargs.setdefault("code", f"DC-T{i}")
    kwargs.setdefault("name", f"Data {i}")
    kwargs.setdefault("retention", "12 months")
    return DataCategory.objects.create(**kwargs)


def make_measure(**kwargs: Any) -> SecurityMeasure:
    kwargs.setdefault("name", f"Measure {n()}")
    kwargs.setdefault("annex_ii_heading", "at_rest")
    return SecurityMeasure.objects.create(**kwargs)


def make_vendor(**kwargs: Any) -> Vendor:
    kwargs.setdefault("name", f"Vendor {n()}")
    kwargs.setdefault("role", Vendor.Role.SUB_PROCESSOR)
    kwargs.setdefault("country", "US")
    return Vendor.objects.create(**kwargs)


def make_system(**kwargs: Any) -> System:
    kwargs.setdefault("name", f"System {n()}")
    return System.objects.create(**kwargs)


def make_activity(**kwargs: Any) -> ProcessingActivity:
    i = n()
    kwargs.setdefault("ref", f"PA-T{i}")
    kwargs.setdefault("name", f"Activity {i}")
    kwargs.setdefault("role", ProcessingActivity.Role.CONTROLLER)
    if kwargs["role"] == ProcessingActivity.Role.CONTROLLER:
        kwargs.setdefault("lawful_basis", ProcessingActivity.LawfulBasis.CONTRACT)
    kwargs.setdefault("purposes", "Testing")
    return ProcessingActivity.objects.create(**kwargs)


def make_feature(**kwargs: Any) -> ProductFeature:
    kwargs.setdefault("name", f"Feature {n()}")
    return ProductFeature.objects.create(**kwargs)


def make_customer(**kwargs: Any) -> Customer:
    kwargs.setdefault("name", f"Customer {n()}")
    kwargs.setdefault("country", "FR")
    return Customer.objects.create(**kwargs)


def make_transfer(**kwargs: Any) -> Transfer:
    kwargs.setdefault("name", f"Transfer {n()}")
    if "exporter_customer" not in kwargs and "exporter" not in kwargs:
        kwargs["exporter"] = make_entity()
    if "importer_entity" not in kwargs and "importer" not in kwargs:
        kwargs["importer"] = make_vendor()
    kwargs.setdefault("exporter_role", "controller")
    kwargs.setdefault("importer_role", "processor")
    kwargs.setdefault("destination", "US")
    kwargs.setdefault("mechanism", "scc")
    return Transfer.objects.create(**kwargs)


def make_tia(**kwargs: Any) -> TransferImpactAssessment:
    if "transfer" not in kwargs:
        kwargs["transfer"] = make_transfer()
    kwargs.setdefault("outcome", "proceed")
    kwargs.setdefault("assessor", "DPO")
    kwargs.setdefault("assessed_on", date(2026, 1, 1))
    tia = TransferImpactAssessment(**kwargs)
    tia.save()
    return tia


def make_region(**kwargs: Any) -> Region:
    i = n()
    kwargs.setdefault("code", f"r{i}")
    kwargs.setdefault("name", f"Region {i}")
    return Region.objects.create(**kwargs)


def make_plan(**kwargs: Any) -> Plan:
    kwargs.setdefault("name", f"Plan {n()}")
    return Plan.objects.create(**kwargs)


def make_plan_limit(**kwargs: Any) -> PlanLimit:
    if "plan" not in kwargs:
        kwargs["plan"] = make_plan()
    if "data_category" not in kwargs:
        kwargs["data_category"] = make_data_category()
    kwargs.setdefault("min_days", 30)
    kwargs.setdefault("max_days", 365)
    return PlanLimit.objects.create(**kwargs)


def make_deletion_run(**kwargs: Any) -> DeletionRun:
    if "system" not in kwargs:
        kwargs["system"] = make_system()
    if "data_category" not in kwargs:
        kwargs["data_category"] = make_data_category()
    kwargs.setdefault("retention_days", 30)
    kwargs.setdefault("deleted", 5)
    kwargs.setdefault("started_at", datetime(2026, 1, 1, 2, 0, tzinfo=UTC))
    kwargs.setdefault("finished_at", kwargs["started_at"] + timedelta(minutes=3))
    kwargs.setdefault("outcome", DeletionRun.Outcome.SUCCESS)
    return DeletionRun.objects.create(**kwargs)


def make_request(**kwargs: Any) -> DataSubjectRequest:
    kwargs.setdefault("requester_name", f"Requester {n()}")
    kwargs.setdefault("requester_email", f"requester{n()}@example.org")
    kwargs.setdefault("regime", "eu")
    kwargs.setdefault("rights", ["access"])
    if isinstance(kwargs.get("received_at"), str):
        kwargs["received_at"] = datetime.fromisoformat(kwargs["received_at"])
    request = DataSubjectRequest(**kwargs)
    request.save()
    return request
