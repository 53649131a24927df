"""What the two import commands share: read the file, call the importer, report.

The leading underscore keeps Django from offering this module as a command.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from staff.importers import ImportFailed, ImportResult


class CsvImportCommand(BaseCommand):
    noun = ""  # singular, e.g. "org unit"
    importer: Callable[..., ImportResult]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file, UTF-8 (Excel's 'CSV UTF-8' is fine).")

    def handle(self, *args: Any, **options: Any) -> None:
        text = read_csv_file(Path(options["file"]))
        try:
            result = self.importer(text=text)
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(exc.message) from exc
        noun = self.noun if result.total == 1 else f"{self.noun}s"
        self.stdout.write(
            f"Imported {result.total} {noun}: {result.created} created, {result.updated} updated."
        )


def read_csv_file(path: Path) -> str:
    try:
        # utf-8-sig drops the byte-order mark Excel writes at the start.
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise CommandError(f"{path}: no such file.") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(
            f"{path} is not UTF-8 text (byte {exc.start} cannot be read). "
            "In Excel, save it as 'CSV UTF-8 (Comma delimited)'."
        ) from exc
    except OSError as exc:
        raise CommandError(f"{path} cannot be read: {exc.strerror}.") from exc
