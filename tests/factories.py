"""Plain factory functions (djangoproject.com style): kwargs.setdefault."""

from datetime import date, datetime
from itertools import count
from typing import Any

from django.contrib.auth.models import Group, User

from dsr.models import DataSubjectRequest
from inventory.models import (
    Customer,
    DataCategory,
    DataSubjectCategory,
    LegalEntity,
    ProcessingActivity,
    ProductFeature,
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
