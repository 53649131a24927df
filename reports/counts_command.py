"""What ``import_headcount`` and ``import_history`` share: read the file,
import it with a progress bar on large files, list every error on failure.

Files are read and refusals printed as every import command does
(``core.csv_command``); only the result and the progress bar differ. A base
class, not a command: it lives outside ``management/commands`` so Django does
not offer it as one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.csv_command import read_csv_file, refusal
from core.csv_import import ImportFailed

from .importers import CountsImportResult, Progress

# Files with at least this many lines get a progress bar (on stderr).
PROGRESS_MIN_LINES = 5000
BAR_WIDTH = 30


class CountsImportCommand(BaseCommand):
    importer: Callable[..., CountsImportResult]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file, UTF-8 (Excel's 'CSV UTF-8' is fine).")
        parser.add_argument("--no-progress", action="store_true", help="Never show a progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        text = read_csv_file(Path(options["file"]))
        large = text.count("\n") >= PROGRESS_MIN_LINES and not options["no_progress"]
        try:
            result = self.importer(text=text, progress=self._bar() if large else None)
        except ImportFailed as exc:
            if large:
                self.stderr.write("")
            raise refusal(self.stderr, exc) from exc
        if large:
            self.stderr.write("")
        rows = "row" if result.rows == 1 else "rows"
        dates = "date" if result.dates == 1 else "dates"
        self.stdout.write(
            f"Imported {result.rows} {rows} for {result.dates} {dates} "
            f"(replacing {result.replaced} stored for those dates)."
        )

    def _bar(self) -> Progress:
        def show(done: int, total: int) -> None:
            filled = BAR_WIDTH * done // max(total, 1)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            percent = 100 * done // max(total, 1)
            # A carriage return redraws the one line; half the work is
            # checking every row, half writing them.
            self.stderr.write(f"\r[{bar}] {percent:3d}%", ending="")
            self.stderr.flush()

        return show
