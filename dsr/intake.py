"""The privacy@ mailbox over IMAP: each new message becomes a request, or
joins the request it answers (the reference in its subject, or its
In-Reply-To / References headers); messages and attachments are kept with the
request; a new request is acknowledged by email with its reference and due
date, and a code is sent to verify the requester (Art. 12(6) GDPR).

Configured by ``DSR_IMAP_*`` settings; without ``DSR_IMAP_HOST`` nothing
polls (requests are then entered in the admin or the API).
"""

from __future__ import annotations

import email
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from imapclient import IMAPClient

from dsr.mail import acknowledge
from dsr.models import Attachment, DataSubjectRequest, Message
from inventory.notices import MailServerDown

logger = logging.getLogger(__name__)
REFERENCE_RE = re.compile(r"\bDSR-\d{4}-\d{4,}\b")
MESSAGE_ID_RE = re.compile(r"<[^<>\s]+>")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Words that say which right is asked for, in the order rights are listed.
RIGHT_WORDS: list[tuple[str, str, str]] = [  # (pattern, GDPR right, CCPA right)
    (r"\b(access|copy of (my|the) data|subject access|what data)\b", "access", "know"),
    (r"\b(know|right to know)\b", "access", "know"),
    (r"\b(rectif\w*|correct\w*|inaccurate)\b", "rectification", "correct"),
    (r"\b(eras\w+|delet\w+|forget|remove my)\b", "erasure", "delete"),
    (r"\b(restrict\w*)\b", "restriction", ""),
    (r"\b(portab\w+|machine-readable|transfer my data)\b", "portability", "know"),
    (r"\b(object\w*|stop processing|stop using)\b", "objection", ""),
    (
        r"\b(do not sell|do not share|opt[- ]out|sale of my)\b",
        "",
        "opt_out_sale_sharing",
    ),
    (r"\b(limit the use|sensitive personal information)\b", "", "limit_sensitive"),
]
REGIME_WORDS = [
    (r"\b(ccpa|cpra|california)\b|do not sell|do not share", "ccpa"),
    (r"\buk gdpr\b|\bico\b|united kingdom", "uk"),
    (r"\b(fadp|revfadp|dsg|nfadp)\b|switzerland|schweiz|suisse", "ch"),
]


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    ssl: bool
    folder: str


def configured_mailbox() -> Mailbox | None:
    """The mailbox from the settings; None when DSR_IMAP_HOST is unset."""
    if not settings.DSR_IMAP_HOST:
        return None
    return Mailbox(
        settings.DSR_IMAP_HOST,
        settings.DSR_IMAP_PORT,
        settings.DSR_IMAP_USER,
        settings.DSR_IMAP_PASSWORD,
        settings.DSR_IMAP_SSL,
        settings.DSR_IMAP_FOLDER,
    )


def guess(text: str) -> tuple[str, list[str]]:
    """The regime and rights a message seems to ask for; the DPO checks them.
    Nothing recognised: an access request under the default regime."""
    lowered = text.lower()
    regime = next(
        (r for pattern, r in REGIME_WORDS if re.search(pattern, lowered)),
        settings.DSR_DEFAULT_REGIME,
    )
    column = 2 if regime == "ccpa" else 1
    rights: list[str] = []
    for row in RIGHT_WORDS:
        right = row[column]
        if right and right not in rights and re.search(row[0], lowered):
            rights.append(right)
    return regime, rights or (["know"] if regime == "ccpa" else ["access"])


def body_text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    return content if isinstance(content, str) else ""


def message_ids(value: str | None) -> list[str]:
    return MESSAGE_ID_RE.findall(value or "")


def thread_of(msg: EmailMessage) -> DataSubjectRequest | None:
    """The request a message belongs to: a reference in its subject, else a
    message it replies to."""
    match = REFERENCE_RE.search(str(msg["Subject"] or ""))
    if match:
        found = DataSubjectRequest.objects.filter(reference=match.group(0)).first()
        if found is not None:
            return found
    ids = message_ids(msg["In-Reply-To"]) + message_ids(msg["References"])
    known = Message.objects.filter(message_id__in=ids).select_related("request")
    first = known.first()
    return first.request if first is not None else None


def open_request(msg: EmailMessage, received_at: datetime) -> DataSubjectRequest:
    name, address = parseaddr(str(msg["From"] or ""))
    subject = str(msg["Subject"] or "")
    regime, rights = guess(f"{subject}\n{body_text(msg)}")
    request = DataSubjectRequest(  # type: ignore[misc]  # rights: a list
        received_at=received_at,
        channel=DataSubjectRequest.Channel.EMAIL,
        requester_name=name[:200],
        requester_email=address if "@" in address else "",
        subject_identifiers=f"Sender of the email: {address}",
        regime=regime,
        rights=rights,
        notes="Opened from the privacy mailbox: regime and rights were read "
        "from the message's words; check them.",
    )
    request._change_reason = "Received in the privacy mailbox"
    request.full_clean()
    request.save()
    return request


def store(
    request: DataSubjectRequest, msg: EmailMessage, message_id: str, at: datetime
) -> Message:
    message = Message.objects.create(
        request=request,
        direction=Message.Direction.IN,
        message_id=message_id,
        in_reply_to=" ".join(message_ids(msg["In-Reply-To"])),
        references=" ".join(message_ids(msg["References"])),
        subject=str(msg["Subject"] or ""),
        sender=str(msg["From"] or "")[:500],
        recipients=", ".join(a for _, a in getaddresses([str(msg["To"] or "")])),
        sent_at=at,
        body=body_text(msg),
    )
    for part in msg.iter_attachments():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or len(payload) > MAX_ATTACHMENT_BYTES:
            continue
        filename = (part.get_filename() or "attachment")[:200]
        attachment = Attachment(
            message=message,
            filename=filename,
            content_type=part.get_content_type()[:100],
            size=len(payload),
        )
        attachment.file.save(
            f"{request.reference}-{filename}", ContentFile(payload), save=False
        )
        attachment.save()
    return message


def receive(raw: bytes, arrived: datetime | None = None) -> Message | None:
    """File one raw message; None when it was filed before (same Message-ID)."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    message_id = (message_ids(msg["Message-ID"]) or [synthetic_id(raw)])[0]
    if Message.objects.filter(message_id=message_id).exists():
        return None
    at = arrived or sent_date(msg) or timezone.now()
    with transaction.atomic():
        request = thread_of(msg)
        new = request is None
        if request is None:
            request = open_request(msg, at)
        message = store(request, msg, message_id, at)
        if not new:
            request.confirm_code(message.body)
    if new and request.requester_email:
        greet(request)
    return message


def greet(request: DataSubjectRequest) -> None:
    """Acknowledge a new request and send the verification code. A mail
    server that is down leaves it unacknowledged (the findings say so), not
    unfiled."""
    try:
        acknowledge(request)
        if request.verification == DataSubjectRequest.Verification.PENDING:
            request.send_verification()
    except MailServerDown as exc:
        logger.warning("%s: %s", request.reference, exc)


def sent_date(msg: EmailMessage) -> datetime | None:
    try:
        return parsedate_to_datetime(str(msg["Date"])) if msg["Date"] else None
    except (TypeError, ValueError):
        return None


def synthetic_id(raw: bytes) -> str:
    return f"<{hashlib.sha256(raw).hexdigest()}@kbinventory.invalid>"


def poll(mailbox: Mailbox | None = None) -> int:
    """Read the unseen messages of the mailbox, file each, mark it seen.
    Returns how many were filed; 0 (and no connection) when unconfigured."""
    mailbox = mailbox or configured_mailbox()
    if mailbox is None:
        return 0
    filed = 0
    with IMAPClient(mailbox.host, port=mailbox.port, ssl=mailbox.ssl) as client:
        client.login(mailbox.user, mailbox.password)
        client.select_folder(mailbox.folder)
        uids = client.search(["UNSEEN"])
        for uid, data in client.fetch(uids, ["RFC822", "INTERNALDATE"]).items():
            arrived = data.get(b"INTERNALDATE")
            if isinstance(arrived, datetime) and timezone.is_naive(arrived):
                arrived = timezone.make_aware(arrived)
            if receive(data[b"RFC822"], arrived) is not None:
                filed += 1
            client.add_flags([uid], [b"\\Seen"])
    return filed
