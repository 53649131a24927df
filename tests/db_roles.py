"""The suite connects as the application's database role, as production does.

PostgreSQL's superusers (and a table's owner) are not subject to row-level
security, so a suite connected as ``postgres`` would never meet the trust
walls (ADR 0020). pytest-django creates and migrates the test database as the
configured user, the owner; then every connection is made as ``APP_ROLE``: a
login that owns nothing, is not a superuser and has no BYPASSRLS, with the
same grants ``manage.py migrate`` gives the production role
(``tenancy.roles``) and TRUNCATE besides, which only the tests' flush between
transactional tests uses. A test that must act as the owner (switching a
trigger off to play an attacker with the owner's rights, restoring a backup)
uses ``as_owner``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, connections

from tenancy.roles import app_role_create, app_role_grant

APP_ROLE = os.environ.get("FTP_TEST_APP_ROLE", "ftp_app")


def app_role_prepare() -> None:
    """Create the role if missing and grant it the test database's tables."""
    app_role_create(connection, APP_ROLE)
    app_role_grant(connection, APP_ROLE, truncate=True)


def connect_as(user: str) -> str:
    """Make every new connection log in as ``user``; returns the user before."""
    before = connection.settings_dict["USER"]
    for alias in connections:
        connections[alias].close()
        connections[alias].settings_dict["USER"] = user
    return str(before)


@contextmanager
def as_owner() -> Iterator[Any]:
    """The default connection logged in as the owner for the block (a
    transactional test only: the connection is reopened)."""
    owner = os.environ.get("FTP_TEST_OWNER_ROLE", "postgres")
    before = connect_as(owner)
    try:
        yield connection
    finally:
        connect_as(before)


def migrate_as_owner(targets: list[tuple[str, str]]) -> Any:
    """Migrate to ``targets`` as the tables' owner, then grant the application
    role the tables that made, as ``manage.py migrate`` does
    (tenancy/roles.py). Returns the migrated state's apps."""
    from django.db.migrations.executor import MigrationExecutor

    from tenancy.roles import owner_connection

    with owner_connection() as owner:
        executor = MigrationExecutor(owner)
        executor.loader.build_graph()
        executor.migrate(targets)
        app_role_grant(owner, APP_ROLE, truncate=True)
        return executor.loader.project_state(targets).apps
