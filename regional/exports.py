"""The regional pack as CSV (one long table) and XLSX (an About sheet, then
one sheet per section), in the governance pack's conventions
(``reports.exports``): a suppressed figure is ``[c]``, an undefined one is
blank, and every text cell is made formula-safe (``audit.exports.csv_safe``)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from openpyxl import Workbook

from audit.exports import csv_safe

from .figures import FUNNEL_COUNTS, GROUP_MEASURES, INDICATOR_GROUPS, WINDOWS
from .models import EARLY_WARNING, FTSU, FUNNEL, INDICATOR
from .selectors import RegionalPack, TrustRow

HEADER = ("trust_code", "trust_name", "wres_year", "section", "window", "group", "measure", "value")
SHEETS = {
    INDICATOR: "Indicator 3",
    FUNNEL: "Funnel",
    EARLY_WARNING: "Early warning",
    FTSU: "Speak up",
}


def preamble(pack: RegionalPack) -> list[str]:
    return [
        f"Regional benchmark: WRES indicator 3 and the referral funnel, {pack.year_label}",
        "Each trust's figures are its own governance pack's, with its own suppression.",
        "[c] = suppressed by the trust: a small count, or one that would reveal it.",
        "Trusts are in order of name. Compare two trusts only with their 95% intervals:",
        "intervals that overlap do not show a difference between the trusts.",
        "Early warning: how many ICSUs and departments were in each band on the day of the",
        "trust's refresh (window column: the 24 months to that day); units only, never managers.",
        "Speak up: the trust's Freedom to Speak Up concerns in the latest complete NHS quarter",
        "at its refresh (window column: the quarter, Q1 = April-June).",
    ]


def pack_rows(pack: RegionalPack) -> Iterator[tuple[Any, ...]]:
    """Every figure of every trust, in the page's order."""
    for row in pack.rows:
        yield from _indicator_rows(pack, row)
        yield from _funnel_rows(pack, row)
        yield from _early_warning_rows(pack, row)
        yield from _ftsu_rows(pack, row)


def _indicator_rows(pack: RegionalPack, row: TrustRow) -> Iterator[tuple[Any, ...]]:
    head = (row.code, row.name, pack.year_label, INDICATOR)
    for window in WINDOWS:
        cells = row.indicator[window]
        for g in INDICATOR_GROUPS:
            for measure in GROUP_MEASURES:
                figure = getattr(cells.groups[g], measure)
                yield (*head, window, g, measure, figure.export())
        yield (*head, window, "", "relative_likelihood", cells.relative_likelihood.export())
        yield (*head, window, "", "ci95_low", cells.ci95_low.export())
        yield (*head, window, "", "ci95_high", cells.ci95_high.export())
        flag = {"yes": "yes", "no": "no", "n/a": "", "suppressed": "[c]"}[cells.flag]
        yield (*head, window, "", "non_adverse", flag)


def _funnel_rows(pack: RegionalPack, row: TrustRow) -> Iterator[tuple[Any, ...]]:
    head = (row.code, row.name, pack.year_label, FUNNEL, "")
    for cells in row.funnel:
        for measure in FUNNEL_COUNTS:
            yield (*head, cells.group, measure, cells.counts[measure].export())
        for step, share in cells.diversions:
            yield (*head, cells.group, f"diverted from formal at: {step} (share)", share.export())
        yield (*head, cells.group, "formal_share", cells.formal_share.export())


def _early_warning_rows(pack: RegionalPack, row: TrustRow) -> Iterator[tuple[Any, ...]]:
    if row.early_warning_as_at is None:
        return
    window = f"24 months to {row.early_warning_as_at.isoformat()}"
    head = (row.code, row.name, pack.year_label, EARLY_WARNING, window)
    for cells in row.early_warning:
        for band, figure in cells.bands:
            yield (*head, cells.level, band, figure.export())
        yield (*head, cells.level, "total", cells.total.export())


def _ftsu_rows(pack: RegionalPack, row: TrustRow) -> Iterator[tuple[Any, ...]]:
    if row.ftsu is None:
        return
    head = (row.code, row.name, pack.year_label, FTSU, row.ftsu.quarter.code)
    for group, measure, _, figure in row.ftsu.figures:
        yield (*head, group, measure, figure.export())


def pack_csv(pack: RegionalPack) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in pack_rows(pack):
        writer.writerow([csv_safe(v) for v in row])
    return out.getvalue()


def pack_xlsx(pack: RegionalPack) -> IO[bytes]:
    """A temporary .xlsx (rewound): the About sheet, then Indicator 3 and Funnel."""
    workbook = Workbook(write_only=True)
    about = workbook.create_sheet("About")
    for line in preamble(pack):
        about.append([csv_safe(line)])
    sheets: dict[str, Any] = {}
    for section, title in SHEETS.items():
        sheets[section] = workbook.create_sheet(title)
        sheets[section].append([h for h in HEADER if h != "section"])
    for row in pack_rows(pack):
        sheets[row[3]].append([csv_safe(v) for i, v in enumerate(row) if i != 3])
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    workbook.save(out)
    out.seek(0)
    return out
