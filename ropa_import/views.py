"""The admin pages where the DPO imports a ROPA workbook: upload, a preview
(dry run), then an explicit "Import". Both run as an ``ImportRun`` in a Celery
task (``ropa_import.tasks.run_import``), never inside the request: the upload
page creates the run and redirects to its status page, which refreshes itself
until the run is done and then shows the result. Thin over
``ropa_import.apply``."""

from __future__ import annotations

import hashlib
from pathlib import PurePath
from typing import Any
from uuid import uuid4

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from inventory.roles import DPO
from ropa_import.apply import ImportResult
from ropa_import.models import ImportRun
from ropa_import.read import (
    MAPPABLE,
    ImportFileError,
    check_container,
    max_bytes,
    too_big,
)
from ropa_import.tasks import IMPORT_FOLDER, progress_of

# The previewed run the DPO may confirm (or remap), in the session; the file
# waits in storage until then, and beat deletes it after IMPORT_PREVIEW_HOURS
# (tasks.delete_stale_import_previews).
PENDING = "ropa_import_pending"
TEMPLATE = "ropa_import/import_ropa.html"
RUN_TEMPLATE = "ropa_import/import_run.html"
REFRESH_SECONDS = 2
EXPIRED = "That preview has expired: upload the workbook again."


class UploadForm(forms.Form):
    workbook = forms.FileField(
        label="Workbook (.xlsx)",
        help_text="A ropa-controller export or a sheet with the UK ICO "
        "template's columns.",
    )

    def clean_workbook(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["workbook"]
        if upload.size is not None and upload.size > max_bytes():
            raise forms.ValidationError(too_big(upload.size, max_bytes()))
        return upload


def is_dpo(user: Any) -> bool:
    """docs/api.md, roles: only the DPO changes the inventory (superusers too)."""
    return bool(user.is_superuser or user.groups.filter(name=DPO).exists())


def import_ropa_view(request: HttpRequest) -> HttpResponse:
    if not is_dpo(request.user):
        raise PermissionDenied
    if request.method == "POST" and "confirm" in request.POST:
        return confirm(request)
    if request.method == "POST" and "remap" in request.POST:
        return remap(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        return preview(request, form)
    return page(request, form)


def page(request: HttpRequest, form: UploadForm) -> HttpResponse:
    context = {
        **admin.site.each_context(request),
        "title": "Import a ROPA spreadsheet",
        "form": form,
        "max_mb": max_bytes() / (1024 * 1024),
    }
    return render(request, TEMPLATE, context)


def preview(request: HttpRequest, form: UploadForm) -> HttpResponse:
    """Keep the file, start its dry run, show its status page. What is not a
    readable workbook at all is refused at once (a cheap check)."""
    upload: UploadedFile[bytes] = form.cleaned_data["workbook"]
    data, name = upload.read(), PurePath(upload.name or "upload.xlsx").name
    try:
        check_container(data)
    except ImportFileError as exc:
        form.add_error("workbook", str(exc))
        return page(request, form)
    discard(request)
    path = default_storage.save(
        f"{IMPORT_FOLDER}/{uuid4().hex}.xlsx", ContentFile(data)
    )
    run = ImportRun(file_name=name, sha256=hashlib.sha256(data).hexdigest())
    run.file.name = path
    return start(request, run)


def start(request: HttpRequest, run: ImportRun) -> HttpResponse:
    run.requested_by = request.user  # type: ignore[assignment]
    run.save()
    if run.dry_run:
        request.session[PENDING] = {
            "path": run.file.name,
            "name": run.file_name,
            "token": run.sha256,
            "run": run.pk,
        }
    run.enqueue()
    return redirect("import_ropa_run", pk=run.pk)


def pending_run(request: HttpRequest, field: str) -> ImportRun | None:
    """The previewed run the form names by its token (the file's SHA-256:
    "Import" imports exactly the file that was previewed), or None."""
    pending = request.session.get(PENDING)
    if not pending or pending["token"] != request.POST.get(field):
        return None
    found = ImportRun.objects.filter(pk=pending["run"], dry_run=True)
    run = found.filter(status=ImportRun.Status.DONE).first()
    if run is None or not default_storage.exists(run.file.name or ""):
        return None
    return run


def chosen_mapping(request: HttpRequest, result: ImportResult) -> dict[str, str]:
    """The DPO's choice per column of the preview ("map-<n>" selects)."""
    chosen = {}
    for number, column in enumerate(result.mapping):
        value = request.POST.get(f"map-{number}", "")
        if value in MAPPABLE:
            chosen[column.header] = value
    return chosen


def remap(request: HttpRequest) -> HttpResponse:
    """Preview the file again with the mapping the DPO chose; the mapping is
    saved for the next file with the same headings."""
    run = pending_run(request, "remap")
    if run is None:
        messages.error(request, EXPIRED)
        return redirect("import_ropa")
    mapping = chosen_mapping(request, ImportResult.from_json(run.result))
    again = ImportRun(
        file=run.file.name, file_name=run.file_name, sha256=run.sha256, mapping=mapping
    )
    return start(request, again)


def discard(request: HttpRequest) -> dict[str, Any] | None:
    pending: dict[str, Any] | None = request.session.pop(PENDING, None)
    if pending and default_storage.exists(pending["path"]):
        default_storage.delete(pending["path"])
    return pending


def confirm(request: HttpRequest) -> HttpResponse:
    run = pending_run(request, "confirm")
    if run is None or run.result.get("error_count"):
        messages.error(request, EXPIRED)
        return redirect("import_ropa")
    request.session.pop(PENDING, None)  # the import run deletes the file
    again = ImportRun(
        file=run.file.name,
        file_name=run.file_name,
        sha256=run.sha256,
        mapping=run.mapping,
        dry_run=False,
    )
    return start(request, again)


def import_run_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A run's progress (the page refreshes itself), then its result."""
    if not is_dpo(request.user):
        raise PermissionDenied
    run = get_object_or_404(ImportRun, pk=pk)
    done, total = progress_of(run)
    pending = request.session.get(PENDING) or {}
    context = {
        **admin.site.each_context(request),
        "title": f"Import of {run.file_name}" if not run.dry_run else "Preview",
        "run": run,
        "done": done,
        "total": total,
        "refresh": None if run.finished else REFRESH_SECONDS,
        "result": ImportResult.from_json(run.result) if run.result else None,
        "token": run.sha256 if pending.get("run") == run.pk else "",
        "fields": MAPPABLE,
        "shown": len(run.result.get("rows", [])) if run.result else 0,
        "result_count": run.result.get("row_count", 0) if run.result else 0,
        "error_count": run.result.get("error_count", 0) if run.result else 0,
    }
    return render(request, RUN_TEMPLATE, context)
