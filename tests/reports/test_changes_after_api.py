"""The change log after ordinary API writes: a record created with its sets in
one request is one "created" version with those sets."""

import io

import openpyxl
import pytest

from reports.build import build
from tests.api.conftest import token_client
from tests.factories import make_feature

pytestmark = pytest.mark.django_db


def rows(data: bytes) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return list(book["Changes"].iter_rows(min_row=2, values_only=True))


def test_changes_after_an_api_create_with_a_set(dpo):
    feature = make_feature(name="Voice bot")
    response = token_client(dpo).post(
        "/api/v1/customers/",
        {"name": "New customer", "country": "FR", "features": [feature.pk]},
        format="json",
    )
    assert response.status_code == 201, response.content

    log = rows(build("changes"))

    created = [r for r in log if r[3] == "New customer"]
    assert {r[4] for r in created} == {"created"}
    assert ("features", "Voice bot") in {(r[5], r[7]) for r in created}
    assert all(r[1] == "dpo" for r in created)
