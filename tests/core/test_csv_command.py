"""The base of every CSV import command: reading the file, the summary, the refusal."""

from __future__ import annotations

import io
from pathlib import Path
from typing import ClassVar

import pytest
from django.core.management import CommandError, call_command

from core.csv_command import CsvImportCommand, read_csv_file
from core.csv_import import ImportFailed, ImportResult, RowError


class ThingsCommand(CsvImportCommand):
    """Imports nothing: records the text it was given and answers as told."""

    noun = "thing"
    texts: ClassVar[list[str]] = []
    answer: ClassVar[ImportResult | ImportFailed] = ImportResult(created=0, updated=0)

    @staticmethod
    def importer(*, text: str) -> ImportResult:
        ThingsCommand.texts.append(text)
        if isinstance(ThingsCommand.answer, ImportFailed):
            raise ThingsCommand.answer
        return ThingsCommand.answer


def run(path: Path, answer: ImportResult | ImportFailed) -> tuple[str, str]:
    ThingsCommand.texts, ThingsCommand.answer = [], answer
    out, err = io.StringIO(), io.StringIO()
    call_command(ThingsCommand(), str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_summary_counts_what_was_created_and_updated(tmp_path: Path):
    path = tmp_path / "things.csv"
    path.write_bytes("\ufeffcode\nA1\n".encode())

    out, err = run(path, ImportResult(created=2, updated=1))

    assert ThingsCommand.texts == ["code\nA1\n"]  # the byte-order mark is dropped
    assert out == "Imported 3 things: 2 created, 1 updated.\n"
    assert err == ""


def test_one_thing_is_singular(tmp_path: Path):
    path = tmp_path / "things.csv"
    path.write_text("code\nA1\n", encoding="utf-8")

    out, _ = run(path, ImportResult(created=0, updated=1))

    assert out == "Imported 1 thing: 0 created, 1 updated.\n"


def test_a_refused_file_prints_every_error_then_fails_with_the_count(tmp_path: Path):
    path = tmp_path / "things.csv"
    path.write_text("code\n\n", encoding="utf-8")
    failure = ImportFailed([RowError(3, "code", "is required."), RowError(2, None, "is odd.")])
    ThingsCommand.texts, ThingsCommand.answer = [], failure
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"^Nothing was imported: 2 errors\.$"):
        call_command(ThingsCommand(), str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue() == "line 2: is odd.\nline 3, code: is required.\n"


def test_a_missing_file_is_named(tmp_path: Path):
    path = tmp_path / "nowhere.csv"

    with pytest.raises(CommandError, match=r"nowhere\.csv: no such file\.$"):
        read_csv_file(path)


def test_a_file_that_is_not_utf8_says_how_to_save_it_from_excel(tmp_path: Path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("code\nBj\xf6rk\n".encode("latin-1"))

    with pytest.raises(CommandError, match=r"is not UTF-8 text \(byte 7 cannot be read\)"):
        read_csv_file(path)


def test_a_file_that_cannot_be_read_says_why(tmp_path: Path):
    with pytest.raises(CommandError, match=r"cannot be read: Is a directory\.$"):
        read_csv_file(tmp_path)
