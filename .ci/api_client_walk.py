"""An integrator's first hour, with nothing but the client that
openapi-python-client generated from the live schema (.ci/api-client):
page the activities, create a data category, a vendor and an activity, change
it with If-Match, be refused with 412 on a stale ETag, read its history,
request a report and open the downloaded workbook with openpyxl.

Usage: api_client_walk.py BASE_URL TOKEN (the generated package importable).
"""

from __future__ import annotations

import sys
import time
from http import HTTPStatus
from typing import Any

import openpyxl
from kbinventory_api_client import AuthenticatedClient
from kbinventory_api_client.api.activities import (
    activities_create,
    activities_history_list,
    activities_list,
    activities_partial_update,
    activities_retrieve,
)
from kbinventory_api_client.api.data_categories import data_categories_create
from kbinventory_api_client.api.reports import (
    reports_create,
    reports_download_retrieve,
    reports_retrieve,
)
from kbinventory_api_client.api.vendors import vendors_create
from kbinventory_api_client.models import (
    CountryCodeEnum,
    DataCategory,
    DataCategoryRequest,
    LawfulBasisEnum,
    PaginatedProcessingActivityList,
    PaginatedVersionList,
    PartyRoleEnum,
    PatchedProcessingActivityRequest,
    PreconditionFailed,
    ProcessingActivity,
    ProcessingActivityRequest,
    ReportKindEnum,
    ReportRequest,
    ReportRun,
    ReportRunStatusEnum,
    Vendor,
    VendorRequest,
    VendorRoleEnum,
)
from kbinventory_api_client.types import File


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"client walk: {message}")
    print(f"ok  {message}")


def expect(value: Any, kind: type) -> Any:
    """A parsed answer of the declared type (the client returns the error
    model instead when the server refused)."""
    if not isinstance(value, kind):
        raise SystemExit(f"client walk: expected {kind.__name__}, got {value!r}")
    return value


def page_activities(client: AuthenticatedClient) -> int:
    seen, page = 0, 1
    while True:
        answer = activities_list.sync(client=client, page=page, page_size=5)
        listing = expect(answer, PaginatedProcessingActivityList)
        seen += len(listing.results)
        if not listing.next_:
            return seen if seen == listing.count else -1
        page += 1


def create_records(client: AuthenticatedClient) -> ProcessingActivity:
    category = expect(
        data_categories_create.sync(
            client=client,
            body=DataCategoryRequest(code="DC-INT", name="Integration contacts"),
        ),
        DataCategory,
    )
    vendor = expect(
        vendors_create.sync(
            client=client,
            body=VendorRequest(
                name="Postmark",
                role=VendorRoleEnum.SUB_PROCESSOR,
                country=CountryCodeEnum.US,
                service="Transactional email",
            ),
            x_change_reason="New email provider",
        ),
        Vendor,
    )
    activity = activities_create.sync_detailed(
        client=client,
        body=ProcessingActivityRequest(
            name="Partner newsletter",
            role=PartyRoleEnum.CONTROLLER,
            purposes="Keep partners informed about releases",
            lawful_basis=LawfulBasisEnum.LEGITIMATE_INTERESTS,
            legitimate_interest="Partners expect release news",
            data_categories=[category.id],
            recipients=[vendor.id],
        ),
    )
    check(activity.status_code == HTTPStatus.CREATED, "activity created (201)")
    check("location" in activity.headers, "201 carries Location")
    return expect(activity.parsed, ProcessingActivity)


def edit_with_if_match(client: AuthenticatedClient, activity_id: int) -> None:
    got = activities_retrieve.sync_detailed(activity_id, client=client)
    etag = got.headers["etag"]
    unchanged = activities_retrieve.sync_detailed(
        activity_id, client=client, if_none_match=etag
    )
    check(unchanged.status_code == HTTPStatus.NOT_MODIFIED, "If-None-Match: 304")
    changed = activities_partial_update.sync_detailed(
        activity_id,
        client=client,
        body=PatchedProcessingActivityRequest(owner="Partner team"),
        if_match=etag,
    )
    check(changed.status_code == HTTPStatus.OK, "update with current If-Match")
    check(changed.headers["etag"] != etag, "the update has a new ETag")
    same = activities_partial_update.sync_detailed(
        activity_id,
        client=client,
        body=PatchedProcessingActivityRequest(owner="Partner team"),
        if_match=changed.headers["etag"],
    )
    check(same.headers["etag"] == changed.headers["etag"], "no-op keeps the ETag")
    stale = activities_partial_update.sync_detailed(
        activity_id,
        client=client,
        body=PatchedProcessingActivityRequest(owner="Someone else"),
        if_match=etag,
    )
    check(stale.status_code == HTTPStatus.PRECONDITION_FAILED, "stale If-Match: 412")
    refused = expect(stale.parsed, PreconditionFailed)
    check(refused.changed_by == "integrator", "412 names who changed it")
    check(refused.etag == changed.headers["etag"], "412 gives the current ETag")


def read_history(client: AuthenticatedClient, activity_id: int) -> None:
    answer = activities_history_list.sync(activity_id, client=client)
    versions = expect(answer, PaginatedVersionList).results
    kinds = [str(v.type_) for v in versions]
    check(kinds == ["changed", "created"], f"history is {kinds}")
    fields = {c.field for c in versions[0].changes}
    check(fields == {"owner"}, "the change names the field")


def download_report(client: AuthenticatedClient, activity_name: str) -> None:
    requested = reports_create.sync(
        client=client, body=ReportRequest(kind=ReportKindEnum.ROPA_CONTROLLER)
    )
    run = expect(requested, ReportRun)
    for _ in range(120):
        if run.status in (ReportRunStatusEnum.DONE, ReportRunStatusEnum.FAILED):
            break
        time.sleep(0.5)
        run = expect(reports_retrieve.sync(run.id, client=client), ReportRun)
    check(run.status == ReportRunStatusEnum.DONE, f"report run {run.status}")
    workbook_file = expect(reports_download_retrieve.sync(run.id, client=client), File)
    workbook = openpyxl.load_workbook(workbook_file.payload, read_only=True)
    check("Controller record" in workbook.sheetnames, "workbook opens")
    rows = workbook["Controller record"].iter_rows(values_only=True)
    check(any(activity_name in row for row in rows), "new activity listed")


def main(base_url: str, token: str) -> None:
    client = AuthenticatedClient(base_url=base_url, token=token, prefix="Token")
    with client:
        count = page_activities(client)
        check(count > 0, f"paged through {count} activities")
        activity = create_records(client)
        edit_with_if_match(client, activity.id)
        read_history(client, activity.id)
        download_report(client, activity.name)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
