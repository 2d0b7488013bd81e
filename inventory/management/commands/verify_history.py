"""``manage.py verify_history``: recompute every record's chain of seals."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from inventory.chain import Reseal, verify


class Command(BaseCommand):
    help = (
        "Recompute the SHA-256 chain of every record's history; exit 0 when "
        "intact, 1 naming the first version altered or removed outside the "
        "application (docs/workbooks.md)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(verify())
        if problems:
            for problem in problems[1:]:
                self.stderr.write(f"also: {problem}")
            raise CommandError(f"history tampered with: {problems[0]}", returncode=1)
        for reseal in Reseal.objects.all():
            self.stdout.write(f"Re-sealed on purpose: {reseal}")
        self.stdout.write("History intact: every chain of seals verifies.")
