"""Property: whatever sequence of ordinary writes the DPO makes (creates, edits,
set changes, deletes, reverts; through the API, the admin and import_ropa),
every report builds, now and as of any past moment, and the inventory as of a
moment is exactly what it was at that moment.

Examples per run: PROPERTY_EXAMPLES (default 5, enough for CI, which runs the
suite twice); e.g. PROPERTY_EXAMPLES=200 for a long run.
"""

import io
import os
import tempfile
from datetime import datetime, timedelta
from typing import Any

import openpyxl
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from rest_framework.test import APIClient

from inventory.models import ProcessingActivity
from inventory.roles import DPO
from reports.build import build
from reports.snapshot import TRACKED, Snapshot
from tests.factories import make_user
from tests.inventory.test_stale_save import form_data

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "5"))
# Plain words and what spreadsheets and forms find awkward.
TEXT = st.text(alphabet="ab =+-@\t\n'\"é", min_size=1, max_size=10)

KINDS = {
    # kind: (api path, model label, text field, set field, set target path)
    "subjects": ("data-subject-categories", "inventory.DataSubjectCategory", "name"),
    "data": ("data-categories", "inventory.DataCategory", "name"),
    "vendor": ("vendors", "inventory.Vendor", "service"),
    "feature": ("features", "inventory.ProductFeature", "description"),
    "customer": ("customers", "inventory.Customer", "contact"),
    "activity": ("activities", "inventory.ProcessingActivity", "purposes"),
}
SETS = {  # kind: (set field, kind of its members)
    "feature": ("vendors", "vendor"),
    "customer": ("features", "feature"),
    "activity": ("data_categories", "data"),
}

op = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(sorted(KINDS)), TEXT),
    st.tuples(
        st.just("edit"),
        st.sampled_from(sorted(KINDS)),
        st.integers(0, 50),
        TEXT,
        st.sampled_from(["api", "admin"]),
    ),
    st.tuples(
        st.just("set"),
        st.sampled_from(sorted(SETS)),
        st.integers(0, 50),
        st.lists(st.integers(0, 50), max_size=3),
        st.sampled_from(["api", "admin"]),
    ),
    st.tuples(st.just("delete"), st.sampled_from(sorted(KINDS)), st.integers(0, 50)),
    st.tuples(st.just("revert"), st.sampled_from(sorted(KINDS)), st.integers(0, 50)),
    st.tuples(st.just("import"), TEXT),
)


def model(kind: str) -> Any:
    return apps.get_model(KINDS[kind][1])


def pick(kind: str, index: int) -> Any:
    objects = list(model(kind).objects.order_by("pk"))
    return objects[index % len(objects)] if objects else None


def inventory_now() -> dict[str, dict[int, dict[str, Any]]]:
    """Every tracked record as stored now, sets as sorted id lists: what a
    Snapshot of this moment must give."""
    state = {}
    for label in TRACKED:
        cls = apps.get_model(label)
        attnames = [f.attname for f in cls._meta.concrete_fields]
        sets = [f.name for f in cls.history.model._history_m2m_fields]
        table = {}
        for obj, row in zip(
            cls.objects.order_by("pk"),
            cls.objects.order_by("pk").values(*attnames),
            strict=True,
        ):
            for name in sets:
                row[name] = sorted(getattr(obj, name).values_list("pk", flat=True))
            table[obj.pk] = row
        state[label] = table
    return state


def inventory_as_of(when: datetime) -> dict[str, dict[int, dict[str, Any]]]:
    snap = Snapshot(when)
    strip = ("history_id", "history_date")
    return {
        label: {
            pk: {k: v for k, v in row.items() if k not in strip}
            for pk, row in snap.table(label).items()
        }
        for label in TRACKED
    }


class Writer:
    """The DPO at work through every entry point."""

    def __init__(self, user: Any) -> None:
        self.api = APIClient()
        self.api.force_authenticate(user)
        self.admin = Client()
        self.admin.force_login(user)
        self.serial = 0

    def run(self, step: tuple[Any, ...]) -> None:
        action = {"import": "import_", "set": "set_members"}.get(step[0], step[0])
        getattr(self, action)(*step[1:])

    def check(self, response: Any) -> None:
        assert response.status_code < 500, response.content[:500]

    def create(self, kind: str, text: str) -> None:
        self.serial += 1
        name = f"{text.strip() or 'x'} {self.serial}"
        path = KINDS[kind][0]
        body: dict[str, Any] = {"name": name}
        if kind == "data":
            body["code"] = f"DC-P{self.serial}"
        if kind == "vendor":
            body |= {"role": "sub_processor", "country": "US"}
        if kind == "customer":
            body |= {"country": "FR", "features": ids("feature")[:2]}
        if kind == "activity":
            body |= {
                "role": "controller",
                "purposes": text,
                "lawful_basis": "contract",
                "data_categories": ids("data")[:2],
            }
        self.check(self.api.post(f"/api/v1/{path}/", body, format="json"))

    def edit(self, kind: str, index: int, text: str, via: str) -> None:
        obj = pick(kind, index)
        if obj is None:
            return
        field = KINDS[kind][2]
        if via == "api":
            url = f"/api/v1/{KINDS[kind][0]}/{obj.pk}/"
            self.check(self.api.patch(url, {field: text}, format="json"))
        else:
            self.admin_save(obj, {field: text})

    def set_members(self, kind: str, index: int, members: list[int], via: str) -> None:
        obj = pick(kind, index)
        field, member_kind = SETS[kind]
        pool = ids(member_kind)
        if obj is None or not pool:
            return
        chosen = sorted({pool[i % len(pool)] for i in members})
        if via == "api":
            url = f"/api/v1/{KINDS[kind][0]}/{obj.pk}/"
            self.check(self.api.patch(url, {field: chosen}, format="json"))
        else:
            self.admin_save(obj, {field: [str(i) for i in chosen]})

    def delete(self, kind: str, index: int) -> None:
        obj = pick(kind, index)
        if obj is not None:
            self.check(self.api.delete(f"/api/v1/{KINDS[kind][0]}/{obj.pk}/"))

    def revert(self, kind: str, index: int) -> None:
        obj = pick(kind, index)
        if obj is None:
            return
        first = obj.history.earliest("history_date")
        url = f"{admin_url(obj)}history/{first.history_id}/"
        page = self.admin.get(url)
        self.check(page)
        self.check(self.admin.post(url, form_data(page)))

    def admin_save(self, obj: Any, changes: dict[str, Any]) -> None:
        url = f"{admin_url(obj)}change/"
        page = self.admin.get(url)
        self.check(page)
        self.check(self.admin.post(url, {**form_data(page), **changes}))

    def import_(self, text: str) -> None:
        book = openpyxl.load_workbook(io.BytesIO(build("ropa-controller")))
        sheet = book["Controller record"]
        headers = [c.value for c in sheet[1]]
        if sheet.max_row >= 2:
            sheet.cell(2, headers.index("Purposes") + 1, f"Purposes {text}")
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
            book.save(file.name)
            try:
                call_command("import_ropa", file.name, stdout=io.StringIO())
            except CommandError:
                pass  # refused with errors: nothing written, which is checked


def ids(kind: str) -> list[int]:
    return list(model(kind).objects.order_by("pk").values_list("pk", flat=True))


def admin_url(obj: Any) -> str:
    meta = obj._meta
    return f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/"


class HistoryProperties(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("load_demo", stdout=io.StringIO())
        cls.dpo = make_user(DPO, username="dpo")

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(steps=st.lists(op, min_size=1, max_size=6), picks=st.randoms())
    def test_reports_build_and_as_of_equals_the_past(self, steps, picks) -> None:
        start = timezone.now() + timedelta(days=1)
        moments: list[tuple[datetime, dict[str, Any]]] = []
        with time_machine.travel(start, tick=True) as clock:
            writer = Writer(self.dpo)  # logged in then: sessions last a working day
            for step in steps:
                clock.shift(timedelta(minutes=5))
                writer.run(step)
                moments.append((timezone.now(), inventory_now()))
            clock.shift(timedelta(minutes=5))
            for when, state in picks.sample(moments, min(2, len(moments))):
                assert differences(inventory_as_of(when), state) == []
                # Between two writes the inventory is still what the first left.
                later = inventory_as_of(when + timedelta(minutes=1))
                assert differences(later, state) == []
            for when in [None, picks.choice(moments)[0]]:
                build_every_kind(when)


def differences(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """(model, id, field): as-of value != stored value, readable when it fails."""
    found = []
    for label, table in want.items():
        for pk in sorted(set(table) | set(got[label])):
            old, new = got[label].get(pk), table.get(pk)
            if old is None or new is None:
                found.append(
                    f"{label} #{pk}: as of {old is not None}, stored {new is not None}"
                )
                continue
            found += [
                f"{label} #{pk} {k}: as of {old.get(k)!r}, stored {v!r}"
                for k, v in new.items()
                if old.get(k) != v
            ]
    return found


def build_every_kind(when: datetime | None) -> None:
    snap = Snapshot(when or timezone.now())
    customers = snap.records("inventory.Customer")
    for kind in ("ropa-controller", "ropa-processor", "tia", "changes"):
        build(kind, when)
    if customers:
        build("dpa-annex", when, customer=customers[0]["name"])
    assert ProcessingActivity.history.exists()
