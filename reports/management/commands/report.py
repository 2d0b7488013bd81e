"""``manage.py report KIND --out PATH``: one workbook, its path and SHA-256
(docs/reports.md)."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.build import build
from reports.params import ReportError
from reports.requests import COMMAND_NAMES, check_request


def write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise CommandError(
            f"cannot write {path}: {exc.strerror}", returncode=2
        ) from None


class Command(BaseCommand):
    help = (
        "manage.py report KIND --out PATH [--as-of T] [--since T] [--customer NAME] "
        "[--transfer ID]: write one report workbook (ropa-controller, "
        "ropa-processor, tia, dpa-annex, changes, dsr-log) as the inventory stood at "
        "--as-of; prints its path and SHA-256."
    )

    def create_parser(
        self, prog_name: str, subcommand: str, **kwargs: Any
    ) -> CommandParser:
        # Usage text would make a second line on stderr: bad input gets one line.
        kwargs["usage"] = argparse.SUPPRESS
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="ropa-controller, ropa-processor, tia, ...")
        parser.add_argument("--out", required=True, help="Where to write the .xlsx")
        parser.add_argument("--as-of", help="ISO 8601 date or date-time (UTC)")
        parser.add_argument("--since", help="Start of the period (changes, dsr-log)")
        parser.add_argument("--customer", help="Customer id or name (dpa-annex)")
        parser.add_argument("--transfer", help="One transfer id (tia)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checked = check_request(
                options["kind"],
                as_of=options["as_of"],
                since=options["since"],
                customer=options["customer"],
                transfer=options["transfer"],
                names=COMMAND_NAMES,
            )
            data = build(checked.kind, checked.as_of, **checked.parameters)
        except ReportError as exc:
            raise CommandError(str(exc), returncode=2) from None
        path = Path(options["out"])
        write(path, data)
        self.stdout.write(f"{path} {hashlib.sha256(data).hexdigest()}")
