"""import_ropa: import a controller ROPA workbook (docs/import.md)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ropa_import.apply import ImportResult, import_ropa
from ropa_import.read import ImportFileError


class Command(BaseCommand):
    help = (
        "Import a controller record of processing activities (GDPR Art. 30(1)) "
        "from a workbook laid out like the ropa-controller report or the UK ICO "
        "template; all rows or none. Exit 2 with errors naming sheet, row and column."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the .xlsx workbook to import")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="show what would be created, updated or left unchanged; write nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"]
        try:
            result = import_ropa(path, dry_run=options["dry_run"])
        except ImportFileError as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from None
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(result.summary(), returncode=2)
        self.show(result)

    def show(self, result: ImportResult) -> None:
        for row in result.rows:
            self.stdout.write(str(row))
            for note in row.notes:
                self.stdout.write(f"    {note}")
        self.stdout.write(result.summary())
