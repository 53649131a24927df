"""What every CSV import command shares: read the file, call the importer, report.

An import command is a few lines: subclass ``CsvImportCommand``, set ``help``,
``noun`` and ``importer`` (a function taking ``text=`` and returning an
``ImportResult``). A command with a different result or options (the counts
imports in ``reports``) subclasses ``BaseCommand`` and uses ``read_csv_file``
and ``refusal`` so that files are read, and refusals printed, the same way.

This is a base class, not a command: it lives outside ``management/commands``
so Django does not offer it as one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from core.csv_import import ImportFailed, ImportResult


class CsvImportCommand(BaseCommand):
    """``manage.py <command> FILE``: import FILE, print a summary or every error."""

    noun = ""  # singular, e.g. "org unit"
    importer: Callable[..., ImportResult]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file, UTF-8 (Excel's 'CSV UTF-8' is fine).")

    def handle(self, *args: Any, **options: Any) -> None:
        text = read_csv_file(Path(options["file"]))
        try:
            result = self.importer(text=text)
        except ImportFailed as exc:
            raise refusal(self.stderr, exc) from exc
        noun = self.noun if result.total == 1 else f"{self.noun}s"
        self.stdout.write(
            f"Imported {result.total} {noun}: {result.created} created, {result.updated} updated."
        )


def refusal(stderr: OutputWrapper, failure: ImportFailed) -> CommandError:
    """Write every error of a refused file to ``stderr``, one a line, and return the
    CommandError to raise (its message says nothing was imported and how many errors)."""
    for error in failure.errors:
        stderr.write(str(error))
    return CommandError(failure.message)


def read_csv_file(path: Path) -> str:
    """The file's text, or a CommandError saying plainly why it cannot be read.

    Files from Excel and ESR are expected: UTF-8 with or without a byte-order
    mark; anything else is refused with how to save it from Excel.
    """
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
