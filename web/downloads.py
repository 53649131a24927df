"""A pack or list as a file to download: CSV or XLSX, as the pages offer them."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from django.http import FileResponse, HttpResponse


def pack_download(
    name: str, fmt: str, *, xlsx: Callable[[], IO[bytes]], csv: Callable[[], str]
) -> HttpResponse | FileResponse:
    """``name`` as an attachment: the workbook ``xlsx`` makes, or the text ``csv`` makes."""
    if fmt == "xlsx":
        return FileResponse(xlsx(), as_attachment=True, filename=name)
    response = HttpResponse(csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
