"""Mail to requesters: every message sent is kept with its request (the
acknowledgement is the evidence of CCPA regs sec. 7021(a) and of Art. 12(3)
GDPR information), threaded to the message it answers so replies come back
to the same request."""

from __future__ import annotations

from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone

from dsr.models import DataSubjectRequest, Message
from inventory.notices import deliver


def mailbox_address() -> str:
    return settings.DSR_MAILBOX_ADDRESS or settings.DEFAULT_FROM_EMAIL


def last_received(request: DataSubjectRequest) -> Message | None:
    return request.messages.filter(direction=Message.Direction.IN).last()


def send_to_requester(request: DataSubjectRequest, subject: str, body: str) -> Message:
    """Send ``body`` to the requester, in reply to their latest message, with
    the reference in the subject; store it with the request."""
    answered = last_received(request)
    sender = mailbox_address()
    message_id = make_msgid(domain=sender.rpartition("@")[2] or None)
    headers = {"Message-ID": message_id}
    references = ""
    if answered is not None:
        references = f"{answered.references} {answered.message_id}".strip()
        headers |= {"In-Reply-To": answered.message_id, "References": references}
    if request.reference not in subject:
        subject = f"{subject} [{request.reference}]"
    mail = EmailMessage(
        subject, body, sender, [request.requester_email], headers=headers
    )
    deliver(mail)  # MailServerDown when the server is unavailable: nothing kept
    return Message.objects.create(
        request=request,
        direction=Message.Direction.OUT,
        message_id=message_id,
        in_reply_to=answered.message_id if answered else "",
        references=references,
        subject=subject,
        sender=sender,
        recipients=request.requester_email,
        sent_at=timezone.now(),
        body=body,
    )


def acknowledge(request: DataSubjectRequest, user: object = None) -> Message:
    """Confirm receipt with the reference and the due date (CCPA regs sec.
    7021(a); Art. 12(3) GDPR), and record that it was confirmed today."""
    body = render_to_string("dsr/acknowledgement.txt", {"request": request})
    sent = send_to_requester(
        request, f"We received your request {request.reference}", body
    )
    request.act(user, "Acknowledged by email", acknowledged_on=timezone.localdate())
    return sent
