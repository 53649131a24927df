"""Walk the audit chain: ``intact, N events`` (exit 0) or the first broken event (exit 1)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.verify import check_anchor, verify_log

ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; optionally print or check an anchor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            action="store_true",
            help="Also print the latest event's seq and hash, to record outside the system.",
        )
        parser.add_argument(
            "--expect",
            metavar="SEQ:HASH",
            help="Also check the chain still holds an anchor recorded earlier.",
        )
        parser.add_argument("--chunk-size", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        expected = self._parse_expect(options["expect"])
        report = verify_log(chunk_size=options["chunk_size"])
        if report.intact and expected is not None:
            breakage = check_anchor(*expected)
            report = dataclasses.replace(report, breakage=breakage)
        if not report.intact:
            raise CommandError(str(report))
        self.stdout.write(str(report))
        if options["anchor"]:
            head_seq = report.head.seq if report.head else 0
            self.stdout.write(f"anchor {head_seq}:{report.head_hash}")

    def _parse_expect(self, value: str | None) -> tuple[int, str] | None:
        if value is None:
            return None
        match = ANCHOR.match(value.strip())
        if match is None:
            raise CommandError("--expect takes SEQ:HASH, as printed by --anchor.")
        return int(match[1]), match[2]
