"""The admin page where the DPO uploads a ROPA workbook: a preview (dry run)
first, then an explicit "Import". Thin over ``ropa_import.apply``."""

from __future__ import annotations

import hashlib
import io
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
from django.shortcuts import redirect, render

from inventory.roles import DPO
from ropa_import.apply import ImportResult, import_ropa
from ropa_import.read import MAPPABLE, ImportFileError, max_bytes, too_big
from ropa_import.tasks import IMPORT_FOLDER

# The previewed file waits in storage until the DPO confirms (or previews another);
# beat deletes it after IMPORT_PREVIEW_HOURS (tasks.delete_stale_import_previews).
PENDING = "ropa_import_pending"
TEMPLATE = "ropa_import/import_ropa.html"


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


def page(
    request: HttpRequest,
    form: UploadForm,
    result: ImportResult | None = None,
    token: str = "",
) -> HttpResponse:
    context = {
        **admin.site.each_context(request),
        "title": "Import a ROPA spreadsheet",
        "form": form,
        "result": result,
        "token": token,
        "max_mb": max_bytes() / (1024 * 1024),
        "fields": MAPPABLE,
    }
    return render(request, TEMPLATE, context)


def preview(request: HttpRequest, form: UploadForm) -> HttpResponse:
    upload: UploadedFile[bytes] = form.cleaned_data["workbook"]
    data, name = upload.read(), PurePath(upload.name or "upload.xlsx").name
    try:
        result = import_ropa(io.BytesIO(data), name, user=request.user, dry_run=True)
    except ImportFileError as exc:
        form.add_error("workbook", str(exc))
        return page(request, form)
    token = stash(request, data, name)
    return page(request, UploadForm(), result, token)


def chosen_mapping(request: HttpRequest, result: ImportResult) -> dict[str, str]:
    """The DPO's choice per column of the preview ("map-<n>" selects)."""
    chosen = {}
    for number, column in enumerate(result.mapping):
        value = request.POST.get(f"map-{number}", "")
        if value in MAPPABLE:
            chosen[column.header] = value
    return chosen


def remap(request: HttpRequest) -> HttpResponse:
    """Preview the stashed file again with the mapping the DPO chose; the
    mapping is saved for the next file with the same headings."""
    pending = request.session.get(PENDING)
    if not pending or pending["token"] != request.POST.get("remap"):
        messages.error(request, "That preview has expired: upload the workbook again.")
        return redirect("import_ropa")
    with default_storage.open(pending["path"]) as stored:
        data = stored.read()
    before = import_ropa(io.BytesIO(data), pending["name"], dry_run=True)
    mapping = chosen_mapping(request, before)
    try:
        result = import_ropa(
            io.BytesIO(data),
            pending["name"],
            user=request.user,
            dry_run=True,
            mapping=mapping,
        )
    except ImportFileError as exc:
        messages.error(request, str(exc))
        return redirect("import_ropa")
    return page(request, UploadForm(), result, pending["token"])


def stash(request: HttpRequest, data: bytes, name: str) -> str:
    """Keep the previewed bytes for the confirmation; the token is their hash,
    so "Import" imports exactly the file that was previewed."""
    discard(request)
    path = default_storage.save(
        f"{IMPORT_FOLDER}/{uuid4().hex}.xlsx", ContentFile(data)
    )
    token = hashlib.sha256(data).hexdigest()
    request.session[PENDING] = {"path": path, "name": name, "token": token}
    return token


def discard(request: HttpRequest) -> dict[str, str] | None:
    pending: dict[str, str] | None = request.session.pop(PENDING, None)
    if pending and default_storage.exists(pending["path"]):
        default_storage.delete(pending["path"])
    return pending


def confirm(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    if not pending or pending["token"] != request.POST.get("confirm"):
        messages.error(request, "That preview has expired: upload the workbook again.")
        return redirect("import_ropa")
    with default_storage.open(pending["path"]) as stored:
        data = stored.read()
    discard(request)
    try:
        result = import_ropa(io.BytesIO(data), pending["name"], user=request.user)
    except ImportFileError as exc:
        messages.error(request, str(exc))
        return redirect("import_ropa")
    if result.errors:  # the inventory changed since the preview
        return page(request, UploadForm(), result)
    messages.success(request, result.summary())
    return redirect("admin:inventory_processingactivity_changelist")
