from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.roles import Role
from staff.services import user_add
from tenancy.commands import TrustCommand


class Command(TrustCommand, BaseCommand):
    help = "Onboard a user with one of the product's roles (adds the role if the user exists)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--password", default=None)
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--staff-number",
            default=None,
            help="Link the login to this employee record (required to sit on panels).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = user_add(
                username=options["username"],
                role=Role(options["role"]),
                password=options["password"],
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                staff_number=options["staff_number"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{user.username} now has the role {Role(options['role']).group_name}.")
        if options["staff_number"]:
            self.stdout.write(f"{user.username} is linked to employee {options['staff_number']}.")
