"""Accessible inline SVG charts, drawn on the server: no script, no CDN.

Each chart is an ``<svg role="img">`` labelled by its own ``<title>`` and
``<desc>``; every value it draws is also written as text beside its bar, and
the page puts a table with the counts beside every chart. Colours meet the
3:1 contrast WCAG asks of graphics against white; text is near-black.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .pack import Figure, IndicatorRow, Pack

SERIES_COLOURS = ("#1a5e9a", "#a04a00", "#4d4d4d")  # 6.9:1, 5.9:1, 8.5:1 on white
TEXT = "#1f1f1f"
WIDTH, LABEL_W, BAR_H, GAP = 760, 170, 16, 10
_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    series: str
    value: Figure
    low: Figure | None = None
    high: Figure | None = None
    text: str = ""  # what to write beside the bar; defaults to the value
    undefined: str = "not defined"  # what to write when there is no value


def bar_chart(
    *,
    title: str,
    desc: str,
    rows: list[tuple[str, list[Bar]]],
    scale_max: float,
    unit: str = "",
    band: tuple[float, float] | None = None,
    reference: float | None = None,
) -> SafeString:
    """Horizontal grouped bars: one group per row label, one bar per series."""
    n = next(_ids)
    series = list(dict.fromkeys(bar.series for _, bars in rows for bar in bars))
    colour = dict(zip(series, itertools.cycle(SERIES_COLOURS), strict=False))
    plot_w = WIDTH - LABEL_W - 230  # room on the right for the value and its interval
    top = 28 + 18 * ((len(series) + 2) // 3)

    def x(value: float) -> float:
        return LABEL_W + plot_w * min(value, scale_max) / scale_max

    parts: list[str] = []
    y = top
    for label, bars in rows:
        parts.append(svg_text(LABEL_W - 8, y + len(bars) * (BAR_H + 2) / 2 + 4, label, "end"))
        for bar in bars:
            parts.append(_bar(bar, y, x, colour[bar.series], unit))
            y += BAR_H + 2
        y += GAP
    height = y + 24
    under = _guides(x, top, y, band, reference)
    legend = _legend(series, colour)
    axis = _axis(x, y, scale_max, unit)
    return format_html(
        '<svg role="img" aria-labelledby="chart{n}-title chart{n}-desc" viewBox="0 0 {w} {h}" '
        'width="100%" style="max-width:{w}px" xmlns="http://www.w3.org/2000/svg" '
        'font-family="Roboto, Arial, sans-serif" font-size="12">'
        '<title id="chart{n}-title">{title}</title><desc id="chart{n}-desc">{desc}</desc>'
        "{under}{legend}{bars}{axis}</svg>",
        n=n,
        w=WIDTH,
        h=int(height),
        title=title,
        desc=desc,
        under=under,
        legend=legend,
        bars=mark_safe("".join(parts)),  # noqa: S308 - built with format_html
        axis=axis,
    )


def svg_text(x: float, y: float, text: str, anchor: str = "start") -> SafeString:
    """An SVG ``<text>`` in the charts' text colour (every chart's labels)."""
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" fill="{}">{}</text>',
        f"{x:.1f}",
        f"{y:.1f}",
        anchor,
        TEXT,
        text,
    )


def _bar(bar: Bar, y: float, x: Callable[[float], float], colour: str, unit: str) -> str:
    scale = x
    value = bar.value
    if value.hidden or value.value is None:
        note = "suppressed" if value.hidden else bar.undefined
        return svg_text(LABEL_W + 4, y + BAR_H - 4, f"{bar.series}: {note}")
    v = float(value.value)
    end = scale(v)
    out: list[str] = [
        format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>',
            LABEL_W,
            f"{y:.1f}",
            f"{max(end - LABEL_W, 1):.1f}",
            BAR_H,
            colour,
        )
    ]
    right = end
    if bar.low is not None and bar.high is not None and bar.low.value is not None:
        lo = scale(float(bar.low.value))
        hi = scale(float(bar.high.value)) if bar.high.value is not None else scale(1e9)
        mid = y + BAR_H / 2
        out.append(
            format_html(
                '<path d="M{lo} {mid}H{hi}M{lo} {a}V{b}M{hi} {a}V{b}" stroke="{c}" '
                'stroke-width="1.5" fill="none"></path>',
                lo=f"{lo:.1f}",
                hi=f"{hi:.1f}",
                mid=f"{mid:.1f}",
                a=f"{y + 2:.1f}",
                b=f"{y + BAR_H - 2:.1f}",
                c=TEXT,
            )
        )
        right = max(right, hi)
    label = bar.text or f"{v:.2f}{unit}"
    out.append(svg_text(right + 6, y + BAR_H - 4, label))
    return "".join(out)


def _guides(
    x: Callable[[float], float],
    top: float,
    bottom: float,
    band: tuple[float, float] | None,
    ref: float | None,
) -> str:
    scale = x
    out: list[str] = []
    if band:
        lo, hi = scale(band[0]), scale(band[1])
        out.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="#e6f2e8"></rect>',
                f"{lo:.1f}",
                top - 4,
                f"{hi - lo:.1f}",
                f"{bottom - top:.1f}",
            )
        )
        out.append(svg_text((lo + hi) / 2, top - 8, "non-adverse 0.80-1.25", "middle"))
    if ref is not None:
        at = scale(ref)
        out.append(
            format_html(
                '<path d="M{x} {a}V{b}" stroke="{c}" stroke-dasharray="4 3"></path>',
                x=f"{at:.1f}",
                a=top - 4,
                b=f"{bottom:.1f}",
                c=TEXT,
            )
        )
    return mark_safe("".join(out))  # noqa: S308 - built with format_html


def _legend(series: list[str], colour: dict[str, str]) -> str:
    items = []
    for i, name in enumerate(series):
        col, row = i % 3, i // 3
        lx, ly = LABEL_W + col * 170, 6 + row * 18
        items.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="12" fill="{}"></rect>{}',
                lx,
                ly,
                colour[name],
                svg_text(lx + 16, ly + 10, name),
            )
        )
    return mark_safe("".join(items))  # noqa: S308 - built with format_html


def _axis(x: Callable[[float], float], y: float, scale_max: float, unit: str) -> str:
    scale = x
    ticks = [scale_max * i / 4 for i in range(5)]
    return format_html_join(
        "",
        "{}",
        (
            (
                svg_text(
                    scale(t), y + 14, f"{t:.2f}{unit}" if not unit else f"{t:.0f}{unit}", "middle"
                ),
            )
            for t in ticks
        ),
    )


# --- the pack's three charts ---------------------------------------------------------


def trend_chart(pack: Pack) -> SafeString:
    rows = []
    for year in pack.years:
        bars = [
            Bar(
                f"{row.window}-year",
                row.relative_likelihood,
                row.ci95_low,
                row.ci95_high,
                _rl_text(row.relative_likelihood, row.ci95_low, row.ci95_high),
            )
            for row in pack.trend
            if row.year == year
        ]
        rows.append((f"{year}/{(year + 1) % 100:02d}", bars))
    return bar_chart(
        title="Relative likelihood of BME staff entering formal investigation, trust-wide, by year",
        desc=(
            "Bars show the ratio for one-year and two-year windows, lines the 95% confidence "
            "interval; the shaded band is the non-adverse range 0.80 to 1.25 and the dashed line "
            "parity (1.0). The table after the chart gives every count."
        ),
        rows=rows,
        scale_max=_scale(pack.trend),
        band=(0.8, 1.25),
        reference=1.0,
    )


def icsu_chart(pack: Pack) -> SafeString:
    rows = [
        (
            row.name,
            [
                Bar(
                    f"{row.window}-year",
                    row.relative_likelihood,
                    row.ci95_low,
                    row.ci95_high,
                    _rl_text(row.relative_likelihood, row.ci95_low, row.ci95_high),
                )
            ],
        )
        for row in pack.by_icsu
        if row.window == pack.window
    ]
    return bar_chart(
        title=f"Relative likelihood by ICSU, {pack.year_label}, {pack.window}-year window",
        desc=(
            "One bar per ICSU and the trust, with its 95% confidence interval; shaded: the "
            "non-adverse range 0.80 to 1.25; dashed: parity. Counts are in the table after it."
        ),
        rows=rows,
        scale_max=_scale(pack.by_icsu),
        band=(0.8, 1.25),
        reference=1.0,
    )


FUNNEL_MILESTONES = ("submitted", "reached_panel", "sent_to_signoff", "formal")
MILESTONE_LABELS = {
    "submitted": "Submitted",
    "reached_panel": "Reached the panel",
    "sent_to_signoff": "Sent to sign-off",
    "formal": "Formal investigation",
}


def _funnel_rows(pack: Pack) -> list[tuple[str, list[Bar]]]:
    trust = pack.funnel[0]
    rows = []
    for step in FUNNEL_MILESTONES:
        bars = []
        for group, name in (("white", "White"), ("bme", "BME"), ("unknown", "Unknown")):
            cell = trust.groups[group]
            count, base = cell.counts[step], cell.counts["submitted"]
            share = Figure(
                None if not base.value else 100 * float(count.value or 0) / float(base.value),
                count.hidden or base.hidden,
            )
            text = (
                ""
                if share.value is None
                else f"{share.value:.0f}% ({count.text()} of {base.text()})"
            )
            bars.append(Bar(name, share, text=text, undefined="no referrals"))
        rows.append((MILESTONE_LABELS[step], bars))
    return rows


def funnel_chart_note(pack: Pack) -> str:
    """Why the funnel chart draws no bar at all, in words; "" when it draws one.

    A board reader otherwise meets a chart of nothing but "suppressed"."""
    bars = [bar.value for _, row in _funnel_rows(pack) for bar in row]
    if any(not v.hidden and v.value is not None for v in bars):
        return ""
    if not any(v.hidden for v in bars):
        return "No referral was submitted in this period, so the chart has no bar to draw."
    return (
        f"Every ethnic group's count in this period is below the suppression threshold of "
        f"{pack.threshold} (or could be worked out from one that is), so no bar is drawn. "
        "Choose a longer period to see the shares."
    )


def funnel_chart(pack: Pack) -> SafeString:
    rows = _funnel_rows(pack)
    return bar_chart(
        title="The referral funnel, trust-wide, by ethnic group",
        desc=(
            "For each ethnic group, the share of submitted referrals that reached the panel, "
            "were sent to sign-off and entered formal investigation. Counts are in the table."
        ),
        rows=rows,
        scale_max=100,
        unit="%",
    )


def _rl_text(rl: Figure, low: Figure, high: Figure) -> str:
    if rl.hidden or rl.value is None:
        return ""
    ci = "" if low.value is None else f" (95% CI {low.text('.2f')}-{high.text('.2f')})"
    return f"{rl.text('.2f')}{ci}"


def _scale(rows: list[IndicatorRow]) -> float:
    highs = [
        float(v.value)
        for row in rows
        for v in (row.relative_likelihood, row.ci95_high)
        if not v.hidden and v.value is not None
    ]
    # A whole number, so that the quarter ticks fall on readable values.
    return float(max(2, min(6, math.ceil(max(highs, default=2.0)))))
