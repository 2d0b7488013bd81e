"""``manage.py report KIND --out PATH``: one workbook, its path and SHA-256
(CONTRACT.md section 3)."""

from __future__ import annotations

import argparse
import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reports.build import ReportError, build, parse_when


def report_params(options: dict[str, Any]) -> dict[str, Any]:
    """The builder's parameters: only the options given, normalised so that the
    same request from the command, the API or the admin gives the same bytes."""
    params: dict[str, Any] = {}
    if options["customer"] is not None:
        params["customer"] = options["customer"]
    if options["transfer"] is not None:
        params["transfer"] = transfer_id(options["transfer"])
    if options["since"] is not None:
        params["since"] = parse_when(options["since"], "--since").isoformat()
    return params


def transfer_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ReportError(f"--transfer {text!r} is not a transfer id") from None


def check_window(as_of: datetime | None, since: str | None) -> None:
    """``--since`` must not come after ``--as-of`` (or now, without one)."""
    if since is None:
        return
    end = as_of or timezone.now()
    if datetime.fromisoformat(since) > end:
        raise ReportError(f"--since {since} is after --as-of {end.isoformat()}")


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
        parser.add_argument("--customer", help="Customer name (dpa-annex)")
        parser.add_argument("--transfer", help="One transfer id (tia)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = parse_when(options["as_of"]) if options["as_of"] else None
            params = report_params(options)
            check_window(as_of, params.get("since"))
            data = build(options["kind"], as_of, **params)
        except ReportError as exc:
            raise CommandError(str(exc), returncode=2) from None
        path = Path(options["out"])
        write(path, data)
        self.stdout.write(f"{path} {hashlib.sha256(data).hexdigest()}")
