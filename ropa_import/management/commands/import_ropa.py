"""import_ropa: import a controller ROPA workbook (docs/import.md)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inventory.actors import acting_as, add_user_argument, command_actor
from ropa_import.apply import ImportResult, import_ropa
from ropa_import.read import ImportFileError


class Command(BaseCommand):
    help = (
        "Import a controller record of processing activities (GDPR Art. 30(1)) "
        "from a workbook: this service's ropa-controller export, the UK ICO "
        "template, Fides' data map, or a register with English, French or German "
        "headings; all rows or none. Exit 2 with errors naming sheet, row and column."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the .xlsx workbook to import")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="show the column mapping and what would be created, updated or "
            "left unchanged; write nothing",
        )
        parser.add_argument(
            "--mapping",
            metavar="FILE",
            help='JSON object {"<heading>": "<field>" or "ignored"} overriding the '
            "recognised columns; saved for the next file with the same headings",
        )
        parser.add_argument(
            "--print-mapping",
            action="store_true",
            help="print the column mapping as JSON (for --mapping) and write nothing",
        )
        add_user_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"]
        actor = command_actor(options, "import_ropa")
        mapping = read_mapping(options["mapping"])
        dry_run = options["dry_run"] or options["print_mapping"]
        try:
            with acting_as(actor):
                user = None if isinstance(actor, str) else actor
                result = import_ropa(path, user=user, dry_run=dry_run, mapping=mapping)
        except ImportFileError as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from None
        if options["print_mapping"]:
            self.stdout.write(
                json.dumps(mapping_json(result), indent=2, ensure_ascii=False)
            )
            return
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(result.summary(), returncode=2)
        self.show(result)

    def show(self, result: ImportResult) -> None:
        self.stdout.write(f"Columns of sheet {result.sheet!r}:")
        for column in result.mapping:
            self.stdout.write(f"  {column}")
        for column in result.unmapped():
            self.stdout.write(
                f"Not mapped, kept in each activity's notes: {column.header!r}"
            )
        for row in result.outcomes():
            self.stdout.write(str(row))
            for note in row.notes:
                self.stdout.write(f"    {note}")
        for warning in result.warnings:
            self.stdout.write(f"Warning: {warning}")
        self.stdout.write(result.summary())


def mapping_json(result: ImportResult) -> dict[str, str]:
    """Heading -> field; a column no field takes shows as "notes" (its text
    is kept there), so that the printed mapping fed back changes nothing."""
    return {c.header: c.field or "notes" for c in result.mapping}


def read_mapping(name: str | None) -> dict[str, str] | None:
    if name is None:
        return None
    try:
        data = json.loads(Path(name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"--mapping {name}: {exc}", returncode=2) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise CommandError(
            f'--mapping {name}: expected a JSON object {{"heading": "field"}}',
            returncode=2,
        )
    return data
