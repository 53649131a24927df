"""Check the audit log's chains, as the daily task does, through the same service.

Each trust's events form their own chain, and events outside any trust the
deployment's (ADR 0020). ``--trust CODE`` checks that trust's chain (with
one trust in the deployment it is the default) and ``--deployment`` the
deployment's; with several trusts and neither, every chain is checked and
each reported on its own line, ``CODE: intact, N events``.

Exit status: 0 ``intact, N events``; 1 broken (the first broken event, or a
mismatch with an anchor; with every chain, if any is broken); 3 ``empty``
(no events and no anchor to say there should be any: nothing is proven, so
a script must not read it as intact; with every chain, if any trust's chain
is empty; the deployment chain may be, as nothing need happen outside a
trust). Every run is recorded in the chain it checked by ``--actor``
(default: the system), and a broken chain alerts HR leads as the daily
check does.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.types import Actor
from audit.models import DEPLOYMENT
from audit.services import audit_chain_check, for_each_chain
from audit.verify import Report
from tenancy.commands import trust_argument_add, trust_from_options
from tenancy.context import trust_entered
from tenancy.models import Trust

ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")
EXIT_EMPTY = 3


class Command(BaseCommand):
    help = (
        "Verify the audit log's chain of a trust (--trust), of the deployment (--deployment) "
        "or of each; compare with the last anchor; record the check. "
        "Exit 0 intact, 1 broken, 3 empty."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        trust_argument_add(parser)
        parser.add_argument(
            "--deployment",
            action="store_true",
            help="Check the deployment's own chain (events outside any trust).",
        )
        parser.add_argument(
            "--anchor",
            action="store_true",
            help="Also record an anchor (FTP_AUDIT_ANCHOR_FILE and _EMAILS) and print it.",
        )
        parser.add_argument(
            "--expect",
            metavar="SEQ:HASH",
            help="Also check the chain still holds an anchor recorded earlier (one chain only).",
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

        def check() -> Report:
            return audit_chain_check(
                actor=actor,
                anchor=options["anchor"],
                expect=expected,
                chunk_size=options["chunk_size"],
            )

        if options["deployment"] and options["trust"]:
            raise CommandError("Name a trust or the deployment, not both.")
        if options["deployment"]:
            with trust_entered(None):
                return self._one(check(), options["anchor"])
        if options["trust"] or expected is not None or Trust.objects.count() <= 1:
            with trust_entered(trust_from_options(options)):
                return self._one(check(), options["anchor"])
        with trust_entered(None):
            self._every(for_each_chain(check), options["anchor"])

    def _one(self, report: Report, anchor: bool) -> None:
        if report.broken:
            raise CommandError(str(report))
        if report.empty:
            raise CommandError(str(report), returncode=EXIT_EMPTY)
        self.stdout.write(str(report))
        if anchor:
            self.stdout.write(f"anchor {_anchor(report)}")

    def _every(self, reports: dict[str, Report], anchor: bool) -> None:
        for chain, report in reports.items():
            line = f"{chain}: {report}"
            if anchor and report.intact:
                line += f" (anchor {_anchor(report)})"
            (self.stderr if report.broken else self.stdout).write(line)
        broken = [chain for chain, report in reports.items() if report.broken]
        if broken:
            raise CommandError(f"broken: {', '.join(broken)}")
        empty = [c for c, r in reports.items() if r.empty and c != DEPLOYMENT]
        if empty:
            raise CommandError(f"empty: {', '.join(empty)}", returncode=EXIT_EMPTY)

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


def _anchor(report: Report) -> str:
    return f"{report.head.seq if report.head else 0}:{report.head_hash}"
