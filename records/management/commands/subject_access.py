"""Produce an employee's subject access pack from the command line, through the
same service as the HR page (``records.subject_access``): the same access
rule (``--username`` must be an HR adviser), the same pack, the same audit
event. Prints the file written, its SHA-256 and the rows per file; no names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import NotAllowed, ValidationFailed
from records.subject_access import subject_access_pack
from tenancy.commands import TrustCommand


class Command(TrustCommand, BaseCommand):
    help = "Produce the subject access pack (a ZIP) of one employee, recorded in the audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--staff-number", required=True, help="The employee's staff number.")
        parser.add_argument(
            "--reference", required=True, help="The request's reference (from the SAR log)."
        )
        parser.add_argument("--out", required=True, help="Where to write the ZIP (a new file).")
        parser.add_argument(
            "--username", required=True, help="The HR adviser producing the pack (recorded)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if out.exists():
            raise CommandError(f"{out} exists: choose a new file, the pack is never overwritten.")
        if not out.parent.is_dir():
            raise CommandError(f"{out.parent} is not a directory.")
        actor = get_user_model().objects.filter(username=options["username"]).first()
        if actor is None or not actor.is_active:
            raise CommandError(f"No active user {options['username']!r}.")
        try:
            pack = subject_access_pack(
                actor=actor,
                staff_number=options["staff_number"],
                request_reference=options["reference"],
            )
        except NotAllowed as exc:
            raise CommandError(exc.message) from exc
        except ValidationFailed as exc:
            problems = " ".join(m for messages in exc.errors.values() for m in messages)
            raise CommandError(problems) from exc
        with out.open("xb") as file:  # never over a file that appeared meanwhile
            file.write(pack.content)
        self.stdout.write(f"Wrote {out} (sha256 {pack.sha256}).")
        for name, count in pack.counts.items():
            self.stdout.write(f"  {name}: {count} rows")
