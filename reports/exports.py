"""The governance pack as CSV (one long table) and XLSX (a sheet per section).

The sections are the page's: indicator 3's trend and ICSUs, suspensions and
restrictions by ethnic group beside it, the funnel (with the formal
process's stages and outcomes), the early warning's units
(``early_warning``), and whatever sections the layers above add (``extra``:
the Freedom to Speak Up figures, ``speakup.report``).

Downloads are always suppressed, whoever asks: a downloaded pack is what
goes up the governance chain. A suppressed count is written ``[c]`` (the
convention of official statistics) and an undefined ratio is left blank.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from openpyxl import Workbook

from .early_warning_report import CSV_HEADER as EARLY_WARNING_COLUMNS
from .early_warning_report import early_warning_units_report
from .grouping import wres_year_end
from .pack import (
    FUNNEL_STEPS,
    GOVERNANCE_CHAIN,
    SUSPENSION_LABELS,
    IndicatorRow,
    Pack,
    SuspensionRow,
)

HEADER = ("section", "org_unit", "name", "period", "window", "group", "measure", "value")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


Rows = Iterable[tuple[Any, ...]]
FLAGGED_BANDS = ("alert", "warning")


def pack_rows(pack: Pack, extra: Iterable[Rows] = ()) -> Iterator[tuple[Any, ...]]:
    yield from _pack_own_rows(pack)
    yield from early_warning_rows(pack)
    for rows in extra:
        yield from rows


def early_warning_rows(pack: Pack) -> Iterator[tuple[Any, ...]]:
    """The early warning's units in alert or warning, as the pack's section
    lists them: as at the 31 March ending the pack's year, over its window,
    suppressed (``reports.early_warning_report``). One line per measure. The
    units in neither band are the full early warning's, not the pack's."""
    report = early_warning_units_report(
        as_at=wres_year_end(pack.year), window_months=12 * pack.window, suppressed=True
    )
    period = f"as at {report.as_at:%Y-%m-%d}"
    window = f"{report.window_months} months"
    measures = EARLY_WARNING_COLUMNS[3:]
    for row in report.units:
        if row.band not in FLAGGED_BANDS:
            continue
        level, key, name, *values = row.csv_row()
        for measure, value in zip(measures, values, strict=True):
            yield ("early_warning", key, name, period, window, level, measure, value)


def _pack_own_rows(pack: Pack) -> Iterator[tuple[Any, ...]]:
    for row in pack.trend:
        yield from _indicator_rows("indicator3_trend", row)
    for row in pack.by_icsu:
        yield from _indicator_rows("indicator3_by_icsu", row)
    for suspensions in pack.suspensions:
        yield from _suspension_rows(pack, suspensions)
    period = f"{pack.start:%Y-%m-%d} to {pack.end:%Y-%m-%d}"
    labels = dict(FUNNEL_STEPS)
    for unit in pack.funnel:
        for group, cell in unit.groups.items():
            for measure, figure in cell.counts.items():
                yield (
                    "funnel",
                    unit.org_unit,
                    unit.name,
                    period,
                    "",
                    group,
                    labels[measure],
                    figure.export(),
                )
            for step, share in cell.diversion.items():
                measure = f"diverted from formal at: {step} (share)"
                yield (
                    "funnel",
                    unit.org_unit,
                    unit.name,
                    period,
                    "",
                    group,
                    measure,
                    share.export(),
                )
            for stage, median in cell.medians.items():
                measure = f"median days in stage: {stage}"
                yield (
                    "funnel",
                    unit.org_unit,
                    unit.name,
                    period,
                    "",
                    group,
                    measure,
                    median.export(),
                )


def _indicator_rows(section: str, row: IndicatorRow) -> Iterator[tuple[Any, ...]]:
    head = (section, row.org_unit, row.name, row.label, row.window)
    for group, figures in row.groups.items():
        yield (*head, group, "headcount", figures.headcount.export())
        yield (*head, group, "entered (mean per year)", figures.entered.export())
        yield (*head, group, "rate", figures.rate.export())
    yield (*head, "", "relative_likelihood", row.relative_likelihood.export())
    yield (*head, "", "ci95_low", row.ci95_low.export())
    yield (*head, "", "ci95_high", row.ci95_high.export())
    flag = "" if row.non_adverse is None else ("yes" if row.non_adverse else "no")
    yield (*head, "", "non_adverse", flag)


def _suspension_rows(pack: Pack, row: SuspensionRow) -> Iterator[tuple[Any, ...]]:
    """The suspensions section beside indicator 3: one line per group and
    measure, then the relative likelihood, as ``_indicator_rows`` writes it."""
    head = ("suspensions", row.org_unit, row.name, pack.year_label, 1)
    labels = dict(SUSPENSION_LABELS)
    for group, figures in row.groups.items():
        yield (*head, group, "headcount", figures.headcount.export())
        for measure, count in figures.counts.items():
            yield (*head, group, labels[measure], count.export())
        yield (*head, group, "rate", figures.rate.export())
        yield (*head, group, "still under a measure at the year's end", figures.still.export())
        yield (*head, group, "median days of the measures lifted", figures.median_days.export())
    yield (*head, "", "relative_likelihood", row.relative_likelihood.export())
    yield (*head, "", "ci95_low", row.ci95_low.export())
    yield (*head, "", "ci95_high", row.ci95_high.export())
    flag = "" if row.non_adverse is None else ("yes" if row.non_adverse else "no")
    yield (*head, "", "non_adverse", flag)


def preamble(pack: Pack) -> list[str]:
    return [
        f"Governance pack: WRES indicator 3, suspensions and the referral funnel, "
        f"{pack.year_label}",
        "For: " + " -> ".join(GOVERNANCE_CHAIN),
        f"[c] = suppressed: a count from 1 to {pack.threshold - 1}, or one that would reveal it.",
    ]


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def pack_csv(pack: Pack, extra: Iterable[Rows] = ()) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in pack_rows(pack, extra):
        writer.writerow([_safe(v) for v in row])
    return out.getvalue()


def pack_xlsx(pack: Pack, extra: Iterable[Rows] = ()) -> IO[bytes]:
    """A temporary .xlsx (rewound): an About sheet, then one sheet per section."""
    workbook = Workbook(write_only=True)
    about = workbook.create_sheet("About")
    for line in preamble(pack):
        about.append([line])
    sheets: dict[str, Any] = {}
    for row in pack_rows(pack, extra):
        section = row[0]
        if section not in sheets:
            sheets[section] = workbook.create_sheet(section[:31])
            sheets[section].append(list(HEADER[1:]))
        sheets[section].append([_safe(v) for v in row[1:]])
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    workbook.save(out)
    out.seek(0)
    return out
