"""Back up the database: ``pg_dump`` in its custom format, to one file.

Restore with ``pg_restore`` into an empty database (docs/operations.md).
Dumped as the tables' owner, so every trust's rows are in it;
``tests/ops/test_backup.py`` restores a backup into a fresh database and
checks that the audit chain verifies against its anchor and every case is
there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database with pg_dump (custom format) to --output, "
        "by default FTP_BACKUP_DIR/ftp-<date>-<time>.dump."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", metavar="FILE", help="Where to write the backup.")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "Backups are of PostgreSQL. The local demo's SQLite database is one file: copy it."
            )
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise CommandError("pg_dump was not found: install PostgreSQL's client programs.")
        output = Path(options["output"] or _default_path())
        output.parent.mkdir(parents=True, exist_ok=True)
        # As the tables' owner (DATABASE_MIGRATE_URL when set): the
        # application's role is bound by row-level security, and pg_dump
        # refuses a table whose rows a policy would hide (docs/tenancy.md).
        db = {**connection.settings_dict, **(settings.DATABASE_MIGRATE or {})}
        command = [pg_dump, "--format=custom", "--no-owner", f"--file={output}"]
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if db.get(key):
                command.append(f"{flag}={db[key]}")
        command.append(str(db["NAME"]))
        env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            output.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {done.stderr.strip()}")
        size = output.stat().st_size
        self.stdout.write(f"backed up to {output} ({size:,} bytes)")


def _default_path() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.FTP_BACKUP_DIR) / f"ftp-{stamp}.dump"
