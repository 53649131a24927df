"""``manage.py regional_refresh [--year YYYY] [--trust CODE]``: compute and
store the regional figures now, each trust inside its own context."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenancy.commands import trust_argument_add
from tenancy.models import Trust

from ...services import regional_default_year, regional_refresh


class Command(BaseCommand):
    help = "Compute every sharing trust's regional figures (suppressed) and store them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="WRES year, by the year it starts in (default: the last complete one).",
        )
        trust_argument_add(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] if options["year"] is not None else regional_default_year()
        if not 2000 <= year <= 2100:
            raise CommandError("The WRES year must lie from 2000 to 2100.")
        trusts = None
        if options.get("trust"):
            try:
                trusts = [Trust.objects.get(code=options["trust"].upper())]
            except Trust.DoesNotExist:
                raise CommandError(f"No trust has the code {options['trust']!r}.") from None
        done = regional_refresh(year=year, trusts=trusts)
        self.stdout.write(
            f"Regional figures for {year}/{(year + 1) % 100:02d}: "
            f"{len(done)} trust{'s' if len(done) != 1 else ''} refreshed"
            + (f" ({', '.join(done)})." if done else ".")
        )
