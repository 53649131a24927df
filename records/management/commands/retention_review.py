"""``manage.py retention_review``: the case files due for destruction.

Prints, a page at a time, each due file's reference, retention class, the
day it closed and the day it fell due; never a name or anything of the
case's substance. Destroying a file is an HR adviser's confirmed act on the
web page (``records.retention.case_destroy``), never this command's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.paging import Cursor
from records.retention_selectors import retention_due_page
from tenancy.commands import TrustCommand

MAX_PAGE = 1000


class Command(TrustCommand, BaseCommand):
    help = (
        "List the case files due for destruction under the retention schedule "
        "(the trust's policy, retention_years): reference, class, closed and due dates, "
        "oldest first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", help="Due by this day (YYYY-MM-DD); default today in the trust's time zone."
        )
        parser.add_argument(
            "--limit", type=int, default=200, help=f"Files per page (1 to {MAX_PAGE}; default 200)."
        )
        parser.add_argument("--page", help="The cursor the previous page printed, for the next.")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = _day(options["as_of"]) if options["as_of"] else timezone.localdate()
        limit = options["limit"]
        if not 1 <= limit <= MAX_PAGE:
            raise CommandError(f"--limit must be from 1 to {MAX_PAGE}.")
        cursor = None
        if options["page"]:
            try:
                cursor = Cursor.decode(options["page"])
            except ValueError as exc:
                raise CommandError("--page is not a cursor this command printed.") from exc
        page = retention_due_page(as_of=as_of, cursor=cursor, size=limit)
        self.stdout.write("reference\tclass\tclosed\tdue")
        for due in page:
            self.stdout.write(
                f"{due.reference}\t{due.retention_class.value}\t"
                f"{due.closed_on.isoformat()}\t{due.due_on.isoformat()}"
            )
        if not page.rows:
            self.stdout.write(f"No case file is due for destruction by {as_of.isoformat()}.")
        if page.older:
            self.stdout.write(f"More: --page {page.older}")


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {text!r}.") from exc
