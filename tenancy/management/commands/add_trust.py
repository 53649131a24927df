"""``manage.py add_trust CODE NAME``: a new trust in this deployment."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenancy.services import trust_add


class Command(BaseCommand):
    help = "Add a trust (a tenant) to this deployment."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="The trust's organisation (ODS) code, such as RAL.")
        parser.add_argument("name", help="The trust's name.")
        parser.add_argument("--host", default="", help="A host name that serves only this trust.")
        parser.add_argument(
            "--shares-with-region",
            action="store_true",
            help="Include its suppressed figures in the regional benchmark.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            trust = trust_add(
                code=options["code"].upper(),
                name=options["name"],
                host=options["host"],
                shares_with_region=options["shares_with_region"],
            )
        except ValidationError as error:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            raise CommandError(problems) from None
        self.stdout.write(f"Added {trust}.")
