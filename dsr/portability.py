"""The answer to an access or portability request as a machine-readable file
(Art. 15(3) and 20(1) GDPR: "a structured, commonly used and machine-readable
format"; CCPA sec. 1798.130(a)(2)(B)): what the checklist gathered, place by
place."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from dsr.models import DataSubjectRequest

FORMAT = "kbinventory-dsr-export/1"


def export_document(request: DataSubjectRequest) -> dict[str, Any]:
    """A JSON-ready document: the request, then each place searched or
    exported with what was found there and who gathered it when."""
    places = [
        {
            "action": task.action,
            "place_type": task.object_type,
            "place": task.target,
            "found": task.result,
            "gathered_by": getattr(task.done_by, "username", None),
            "gathered_at": task.done_at.isoformat() if task.done_at else None,
        }
        for task in request.tasks.select_related("done_by")
        if task.action in ("search", "export") and task.done_at is not None
    ]
    return {
        "format": FORMAT,
        "reference": request.reference,
        "generated_at": timezone.now().isoformat(),
        "subject": {
            "name": request.requester_name,
            "email": request.requester_email,
            "identifiers": request.subject_identifiers,
        },
        "rights": list(request.rights),
        "received_at": request.received_at.isoformat(),
        "data": places,
    }
