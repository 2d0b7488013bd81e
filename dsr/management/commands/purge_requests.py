"""``manage.py purge_requests``: minimisation of closed data subject requests
past their retention (``DSR_RETENTION_MONTHS``, default 36)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from dsr.models import DataSubjectRequest


class Command(BaseCommand):
    help = (
        "Remove requesters' identities, what was gathered and the messages from "
        "data subject requests closed more than DSR_RETENTION_MONTHS ago, keeping "
        "a pseudonymised record with its timings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be purged."
        )
        parser.add_argument("--user", help="Who the history names (a username).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"unknown user {options['user']!r}", returncode=2)
        due = list(DataSubjectRequest.objects.past_retention(timezone.now()))
        with transaction.atomic():
            for request in due:
                if options["verbosity"] > 1 or options["dry_run"]:
                    self.stdout.write(f"{request.reference} closed {request.closed_at}")
                if not options["dry_run"]:
                    request.purge(user)
        verb = "Would purge" if options["dry_run"] else "Purged"
        self.stdout.write(
            f"{verb} {len(due)} request(s) closed more than "
            f"{settings.DSR_RETENTION_MONTHS} months ago."
        )
