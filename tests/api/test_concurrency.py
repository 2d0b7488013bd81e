"""Twenty API writes at once on PostgreSQL leave exactly the history they
should: one version per accepted write, with its user, and none for
a write refused by If-Match. Each thread has its own database connection, so
the writes really overlap; SQLite serialises writers and cannot show a race."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connections
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inventory.models import DataSubjectCategory, ProcessingActivity
from inventory.roles import DPO
from tests.factories import make_activity

WRITERS = 20
ACTIVITIES = "/api/v1/activities/"

pytestmark = [
    # serialized_rollback: the flush after each test must leave the migrations' data
    # (groups, countries) for the transactional tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="concurrent writers need PostgreSQL (set DATABASE_URL; .ci/run does)",
    ),
]


def dpos(count: int) -> list[User]:
    """DPO users without password hashing (tokens and force_login only)."""
    group = Group.objects.get(name=DPO)
    users = [
        User.objects.create(username=f"dpo{i}", is_staff=True) for i in range(count)
    ]
    for user in users:
        user.groups.add(group)
    return users


def token_client(user: User) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def all_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in parallel threads released together by a barrier; each
    thread opens and closes its own database connection."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        try:
            barrier.wait(timeout=30)
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def patch(client: APIClient, url: str, body: dict[str, Any], **headers: str):
    return lambda: client.patch(url, body, format="json", **headers)


def test_parallel_writes_to_different_records_each_leave_one_version():
    users = dpos(WRITERS)
    activities = [make_activity(purposes="Before") for _ in range(WRITERS)]
    calls = [
        patch(token_client(user), f"{ACTIVITIES}{act.pk}/", {"purposes": user.username})
        for user, act in zip(users, activities, strict=True)
    ]

    responses = all_at_once(calls)

    assert [r.status_code for r in responses] == [200] * WRITERS
    for user, act in zip(users, activities, strict=True):
        versions = act.history.order_by("-history_id")
        assert versions.count() == 2  # created, this write
        assert versions[0].history_type == "~"
        assert versions[0].history_user == user
        assert versions[0].purposes == user.username
    assert ProcessingActivity.history.count() == 2 * WRITERS


def test_parallel_writes_with_one_etag_accept_exactly_one():
    users = dpos(WRITERS)
    activity = make_activity(purposes="Before")
    url = f"{ACTIVITIES}{activity.pk}/"
    tag = token_client(users[0]).get(url)["ETag"]
    calls = [
        patch(token_client(u), url, {"purposes": u.username}, HTTP_IF_MATCH=tag)
        for u in users
    ]

    responses = all_at_once(calls)

    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [412] * (WRITERS - 1)
    winner = users[[r.status_code for r in responses].index(200)]
    latest = activity.history.order_by("-history_id")[0]
    assert activity.history.count() == 2  # created, the one accepted write
    assert (latest.history_user, latest.purposes) == (winner, winner.username)
    for refused in (r for r in responses if r.status_code == 412):
        body = refused.json()
        assert body["changed_by"] == winner.username
        assert body["changed_at"].startswith(latest.history_date.isoformat()[:19])
        assert body["etag"] == f'"{latest.history_id}"'
    activity.refresh_from_db()
    assert activity.purposes == winner.username


def admin_form(client: Client, category: DataSubjectCategory) -> dict[str, str]:
    page = client.get(f"/admin/inventory/datasubjectcategory/{category.pk}/change/")
    form = page.context["adminform"].form
    return {"name": category.name, "version": str(form["version"].value())}


def test_parallel_admin_saves_of_one_version_accept_exactly_one():
    users = dpos(WRITERS)
    category = DataSubjectCategory.objects.create(name="Visitors")
    url = f"/admin/inventory/datasubjectcategory/{category.pk}/change/"
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    forms = [admin_form(c, category) for c in clients]

    def save(client: Client, form: dict[str, str], user: User) -> Callable[[], Any]:
        return lambda: client.post(url, {**form, "name": user.username})

    responses = all_at_once(
        [save(c, f, u) for c, f, u in zip(clients, forms, users, strict=True)]
    )

    codes = [r.status_code for r in responses]
    assert sorted(codes) == [200] * (WRITERS - 1) + [302]
    winner = users[codes.index(302)]
    assert category.history.count() == 2  # created, the one accepted save
    category.refresh_from_db()
    assert category.name == winner.username
    refused = next(r for r in responses if r.status_code == 200)
    errors = refused.context["adminform"].form.non_field_errors()
    assert errors[0].startswith(f"{winner.username} changed this record at ")
