"""The letters tests reuse the workflow tests' people and story teller, and
keep each test's case documents in a folder of its own."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..casefile.documents import documents_dir
from ..workflow.conftest import extras, story

__all__ = ["documents_dir", "extras", "pdf_text", "story"]

PDFTOTEXT = "/usr/bin/pdftotext"


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The PDF's text as a reader extracts it (poppler's pdftotext), each run of
    spaces and line breaks made one space (a line may wrap anywhere)."""
    source = tmp_path / "letter.pdf"
    source.write_bytes(data)
    done = subprocess.run(  # noqa: S603 - a fixed program on a file we wrote
        [PDFTOTEXT, "-enc", "UTF-8", str(source), "-"],
        capture_output=True,
        check=True,
        timeout=30,
    )
    return " ".join(done.stdout.decode("utf-8").split())
