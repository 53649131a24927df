"""Backing up, restoring into a fresh database and verifying the audit chain
there, as docs/operations.md tells a trust to (the backup tests share it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def dsn(name: str) -> str:
    """The test server's address for database ``name``, as the tables' owner:
    backing up, restoring and checking a restore are the owner's work
    (the application's role is bound by row-level security)."""
    db = {**connection.settings_dict, **(settings.DATABASE_MIGRATE or {})}
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"


@pytest.fixture
def fresh_database() -> Iterator[str]:
    name = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(dsn("postgres"), autocommit=True) as owner:
        owner.execute(f'DROP DATABASE IF EXISTS "{name}"')
        owner.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(dsn("postgres"), autocommit=True) as owner:
        owner.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def backed_up_and_restored(folder: Path, into: str) -> Path:
    """``make backup`` to ``folder``, then ``pg_restore`` into database ``into``."""
    backup = folder / "ftp.dump"
    call_command("backup", output=str(backup))
    assert backup.stat().st_size > 0
    pg_restore = shutil.which("pg_restore")
    assert pg_restore, "pg_restore is needed (PostgreSQL's client programs)"
    subprocess.run(  # noqa: S603 - fixed arguments
        [pg_restore, "--no-owner", f"--dbname={dsn(into)}", str(backup)],
        check=True,
        capture_output=True,
    )
    return backup


def verify_against(database: str, anchor: str) -> subprocess.CompletedProcess[str]:
    """``manage.py verify_audit --expect ANCHOR`` run on ``database``, with
    this test's anchors file."""
    env = {
        **os.environ,
        "DATABASE_URL": dsn(database),
        "FTP_AUDIT_ANCHOR_FILE": settings.FTP_AUDIT_ANCHOR_FILE,
    }
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, str(ROOT / "manage.py"), "verify_audit", "--expect", anchor],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
