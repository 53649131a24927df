from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from assurance.overdue import actions_overdue_notify
from tenancy.commands import TrustCommand


class Command(TrustCommand, BaseCommand):
    help = (
        "Remind the owner of every action past its due date and not done or dropped, one "
        "notification each. Run daily by beat; running it again on the same day tells nobody "
        "twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", metavar="YYYY-MM-DD", help="The day to check as (default: today)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = timezone.localdate()
        if options.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError("--as-of must be a date, YYYY-MM-DD.") from None
        owners = actions_overdue_notify(as_of=as_of)
        self.stdout.write(f"{owners} owner{'s' if owners != 1 else ''} with overdue actions.")
