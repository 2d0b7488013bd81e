"""``manage.py check_inventory [--json] [--as-of T]`` (docs/reports.md)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports import findings
from reports.findings import Finding
from reports.params import ReportError, parse_when, resolve_as_of


def line(f: Finding) -> str:
    about = f"{f.object_type} #{f.object_id} {f.object_name}"
    return f"{f.severity:<8} {f.code:<26} {about}: {f.message}"


def summary(found: list[Finding]) -> str:
    counts = Counter(f.severity for f in found)
    parts = ", ".join(f"{counts[s]} {s}" for s in findings.SEVERITIES)
    return f"{len(found)} findings: {parts}"


class Command(BaseCommand):
    help = (
        "List what the inventory says is missing, stale or risky (code, severity, "
        "object, message). Exit status 1 if any finding is an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="JSON list on stdout")
        parser.add_argument(
            "--as-of",
            help="ISO 8601 date or date-time (a date means the end of that day, "
            "UTC); default: now",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            when = parse_when(options["as_of"]) if options["as_of"] else None
            found = findings.current(resolve_as_of(when) if when else None)
        except ReportError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps([f.as_dict() for f in found], indent=2))
        else:
            for f in found:
                self.stdout.write(line(f))
        self.stderr.write(summary(found))
        if any(f.severity == findings.ERROR for f in found):
            raise SystemExit(1)
