"""Check the audit log, as the daily task does, through the same service.

Exit status: 0 ``intact, N events``; 1 broken (the first broken event, or a
mismatch with an anchor); 3 ``empty`` (no events and no anchor to say there
should be any: nothing is proven, so a script must not read it as intact).
Every run is recorded in the log as a check by ``--actor`` (default: the
system), and a broken log alerts HR leads as the daily check does.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.types import Actor
from audit.services import audit_chain_check

ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")
EXIT_EMPTY = 3


class Command(BaseCommand):
    help = (
        "Verify the audit log's chain and compare it with the last anchor; record the check. "
        "Exit 0 intact, 1 broken, 3 empty."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            action="store_true",
            help="Also record an anchor (FTP_AUDIT_ANCHOR_FILE and _EMAILS) and print it.",
        )
        parser.add_argument(
            "--expect",
            metavar="SEQ:HASH",
            help="Also check the chain still holds an anchor recorded earlier.",
        )
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help="Who runs the check, as recorded in the log (default: the system).",
        )
        parser.add_argument("--chunk-size", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        expected = self._parse_expect(options["expect"])
        actor = self._actor(options["actor"])
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1.")
        report = audit_chain_check(
            actor=actor,
            anchor=options["anchor"],
            expect=expected,
            chunk_size=options["chunk_size"],
        )
        if report.broken:
            raise CommandError(str(report))
        if report.empty:
            raise CommandError(str(report), returncode=EXIT_EMPTY)
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

    def _actor(self, username: str | None) -> Actor | None:
        if username is None:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"--actor: no active user named {username!r}.")
        return user
