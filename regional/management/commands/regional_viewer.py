"""``manage.py regional_viewer USERNAME [--remove]``: give a login the
deployment-wide regional viewer role (the "Regional viewer" group), or take it away."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...services import VIEWER_GROUP, regional_viewer_grant


class Command(BaseCommand):
    help = "Give a user the regional viewer role (every sharing trust's suppressed figures)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--remove", action="store_true", help="Take the role away.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = get_user_model().objects.get(username=options["username"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user is called {options['username']!r}.") from None
        regional_viewer_grant(user=user, remove=options["remove"])
        verb = "no longer has" if options["remove"] else "now has"
        self.stdout.write(f"{user.username} {verb} the role {VIEWER_GROUP}.")
