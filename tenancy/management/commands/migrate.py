"""Django's ``migrate``, run as the tables' owner, then granting the application role.

With ``DATABASE_MIGRATE_URL`` set, migrations run logged in as that owner
(row-level security does not bind it), and afterwards the application's
``DATABASE_URL`` login is granted reading and writing the rows of every table,
including tables this run created (tenancy/roles.py, docs/tenancy.md).
Without it, ``migrate`` runs as Django's does.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands import migrate
from django.db import connections

from tenancy.roles import app_role_grant, owner_connection


class Command(migrate.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["database"]
        app_user = connections[alias].settings_dict.get("USER")
        with owner_connection(alias) as connection:
            super().handle(*args, **options)
            owner = (settings.DATABASE_MIGRATE or {}).get("USER")
            if owner and app_user and app_user != owner:
                app_role_grant(connection, app_user)
