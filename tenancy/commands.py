"""``--trust CODE`` for the management commands that read or write a trust's data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

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
