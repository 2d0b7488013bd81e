"""The privacy@ mailbox against a real Dovecot and a real SMTP server:
messages delivered by IMAP APPEND become requests or join theirs, are
acknowledged by SMTP with the reference and due date, and a code sent to the
requester verifies them when they reply with it."""

import re
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from django.conf import settings as django_settings
from imapclient import IMAPClient

from dsr import intake
from dsr.models import DataSubjectRequest, Message
from dsr.tasks import poll_mailbox
from tests.dsr.mailservers import dovecot, needs_dovecot, smtp_server

__all__ = ["dovecot", "smtp_server"]
pytestmark = pytest.mark.django_db


def deliver(mailbox, message: EmailMessage, when: datetime | None = None) -> None:
    with IMAPClient(mailbox.host, port=mailbox.port, ssl=False) as client:
        client.login(mailbox.user, mailbox.password)
        client.append(mailbox.folder, message.as_bytes(), msg_time=when)


def email(subject: str, body: str, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Ada Lovelace <ada@example.org>"
    message["To"] = "privacy@konnectbot.example"
    message["Subject"] = subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


@needs_dovecot
def test_a_new_thread_becomes_an_acknowledged_request(
    dovecot, smtp_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    first = email(
        "My data",
        "Hello, please send me a copy of my data and then delete my account.",
        Message_ID="<first@example.org>",
    )
    first.add_attachment(
        b"%PDF-1.4 passport", maintype="application", subtype="pdf", filename="id.pdf"
    )
    deliver(dovecot, first, datetime(2026, 1, 31, 10, 0, tzinfo=UTC))

    assert intake.poll(dovecot) == 1
    assert intake.poll(dovecot) == 0  # seen

    request = DataSubjectRequest.objects.get()
    assert (request.requester_name, request.requester_email) == (
        "Ada Lovelace",
        "ada@example.org",
    )
    assert (request.regime, request.rights, request.channel) == (
        "eu",
        ["access", "erasure"],
        "email",
    )
    assert request.received_at == datetime(2026, 1, 31, 10, 0, tzinfo=UTC)
    assert str(request.due_on) == "2026-03-02"
    assert request.acknowledged_on is not None
    incoming = request.messages.get(direction="in")
    assert incoming.message_id == "<first@example.org>"
    attachment = incoming.attachments.get()
    assert (attachment.filename, attachment.size) == ("id.pdf", 17)
    assert attachment.file.read() == b"%PDF-1.4 passport"

    ack, verification = smtp_server.messages()
    recipients = [to for to, _ in smtp_server.received]
    assert recipients == [["ada@example.org"], ["ada@example.org"]]
    assert request.reference in ack["Subject"]
    assert ack["In-Reply-To"] == "<first@example.org>"
    assert "2 March 2026" in ack.get_content()
    assert request.reference in ack.get_content()
    assert request.messages.filter(direction="out").count() == 2
    assert re.search(r"\b\d{6}\b", verification.get_content())


@needs_dovecot
def test_replies_join_their_request_and_the_code_verifies(dovecot, smtp_server):
    deliver(dovecot, email("Delete me", "Please erase my data.", Message_ID="<a@x>"))
    intake.poll(dovecot)
    request = DataSubjectRequest.objects.get()
    _, verification = smtp_server.messages()
    code = re.search(r"\b\d{6}\b", verification.get_content()).group(0)

    wrong = email(
        f"Re: Confirm your request [{request.reference}]",
        "Here it is: 000000",
        Message_ID="<b@x>",
    )
    deliver(dovecot, wrong)
    intake.poll(dovecot)
    request.refresh_from_db()
    assert request.verification == "pending"

    reply = email(
        "Re: your message",  # no reference: threaded by its headers
        f"My code is {code}.",
        Message_ID="<c@x>",
        In_Reply_To=verification["Message-ID"],
        References=f"<a@x> {verification['Message-ID']}",
    )
    deliver(dovecot, reply)
    assert intake.poll(dovecot) == 1

    request.refresh_from_db()
    assert DataSubjectRequest.objects.count() == 1
    assert request.verification == "verified"
    assert request.history.first().history_change_reason == "Identity verified"
    assert list(
        request.messages.filter(direction="in").values_list("message_id", flat=True)
    ) == ["<a@x>", "<b@x>", "<c@x>"]
    assert len(smtp_server.received) == 2  # replies are not acknowledged again


@needs_dovecot
def test_a_ccpa_opt_out_by_email(dovecot, smtp_server):
    deliver(
        dovecot,
        email("Do not sell my info", "I live in California. Do not sell or share."),
    )
    intake.poll(dovecot)
    request = DataSubjectRequest.objects.get()
    assert (request.regime, request.rights) == ("ccpa", ["opt_out_sale_sharing"])
    assert Message.objects.filter(request=request, direction="in").count() == 1


def test_nothing_polls_without_a_mailbox(settings):
    settings.DSR_IMAP_HOST = ""
    assert poll_mailbox() == 0
    assert "poll-privacy-mailbox" not in django_settings.CELERY_BEAT_SCHEDULE


@pytest.mark.parametrize(
    "text,regime,rights",
    [
        ("Subject access request", "eu", ["access"]),
        (
            "Please correct my address and erase old orders",
            "eu",
            ["rectification", "erasure"],
        ),
        ("I object to marketing", "eu", ["objection"]),
        ("Under the UK GDPR I want a copy of my data", "uk", ["access"]),
        ("Auskunft nach DSG (Schweiz)", "ch", ["access"]),
        ("CCPA: delete my data", "ccpa", ["delete"]),
        ("Hello", "eu", ["access"]),
    ],
)
def test_regime_and_rights_are_read_from_the_words(text, regime, rights):
    assert intake.guess(text) == (regime, rights)
