"""``--trust CODE`` for the management commands that read or write a trust's data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from .context import current_trust_id, trust_entered
from .models import Trust


def trust_argument_add(parser: CommandParser) -> None:
    parser.add_argument(
        "--trust",
        metavar="CODE",
        help="The trust to act for (its code). Needed when the deployment serves more than one.",
    )


def trust_from_options(options: dict[str, Any]) -> Trust:
    """The trust ``--trust`` names; the only trust when there is one and none is named."""
    code = options.get("trust")
    if code:
        try:
            return Trust.objects.get(code=code.upper())
        except Trust.DoesNotExist:
            raise CommandError(f"No trust has the code {code!r}.") from None
    trusts = list(Trust.objects.order_by("code")[:2])
    if len(trusts) == 1:
        return trusts[0]
    if not trusts:
        raise CommandError("No trust exists yet: add one with `manage.py add_trust CODE NAME`.")
    codes = ", ".join(Trust.objects.order_by("code").values_list("code", flat=True))
    raise CommandError(f"Name the trust with --trust CODE (one of {codes}).")


class TrustCommand(BaseCommand):
    """A command that acts for one trust: ``--trust CODE``, or the trust
    already entered (a command called from code inside a trust), or the only
    trust. Put it first among the command's bases."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        trust_argument_add(parser)
        return parser

    def execute(self, *args: Any, **options: Any) -> Any:
        current = current_trust_id()
        if options.get("trust") or current is None:
            trust: Any = trust_from_options(options)
        else:
            trust = current
        with trust_entered(trust):
            return super().execute(*args, **options)
