"""The early warning's funnel plot as accessible inline SVG, drawn on the
server like the governance pack's charts (``reports.charts``): an
``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``, the desc
saying in words what the plot shows (how many points lie beyond each limit),
and the page's table listing every point with its position.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .charts import SERIES_COLOURS, TEXT, svg_text
from .early_warning_funnel import ABOVE_95, ABOVE_998, BELOW_95, BELOW_998, INSIDE, Limits
from .early_warning_report import Funnel

WIDTH, HEIGHT = 760, 420
LEFT, RIGHT, TOP, BOTTOM = 64, 730, 44, 370
MAX_VERTICES = 300  # per limit line: the curve is smooth beyond the first few n
LIMIT_COLOUR = "#4d4d4d"  # 8.5:1 on white
POINT_COLOUR = SERIES_COLOURS[0]
PLURAL = {"icsu": "ICSUs", "department": "departments", "manager": "referring managers"}
_ids = itertools.count(1)
Scale = Callable[[float], float]


def funnel_chart(funnel: Funnel) -> SafeString:
    """One level's funnel plot."""
    chart = next(_ids)
    n_max = _axis_max(max((int(p.n.value or 0) for p in funnel.points), default=0))

    def x(n: float) -> float:
        return LEFT + (RIGHT - LEFT) * n / n_max

    def y(share: float) -> float:
        return BOTTOM - (BOTTOM - TOP) * share

    parts: list[str] = [_axes(x, y, n_max)]
    if funnel.p0 is not None:
        parts.append(_limits(funnel.limits, x, y))
        parts.append(_target(funnel.p0, y))
    parts.append(_legend(funnel.p0 is not None))
    for point in funnel.points:
        n, bme = int(point.n.value or 0), int(point.bme.value or 0)
        parts.append(
            format_html(
                '<circle cx="{}" cy="{}" r="4" fill="{}" stroke="#ffffff" stroke-width="1">'
                "<title>{}: {} of {} referrals of BME staff ({}), {}</title></circle>",
                f"{x(n):.1f}",
                f"{y(bme / n):.1f}",
                POINT_COLOUR,
                point.key,  # the code or staff number; the table has the names
                bme,
                n,
                point.share_text,
                point.position,
            )
        )
    return format_html(
        '<svg role="img" aria-labelledby="ewchart{c}-title ewchart{c}-desc" '
        'viewBox="0 0 {w} {h}" width="100%" style="max-width:{w}px" '
        'xmlns="http://www.w3.org/2000/svg" font-family="Roboto, Arial, sans-serif" '
        'font-size="12"><title id="ewchart{c}-title">{title}</title>'
        '<desc id="ewchart{c}-desc">{desc}</desc>{parts}</svg>',
        c=chart,
        w=WIDTH,
        h=HEIGHT,
        title=f"Funnel plot, {PLURAL[funnel.level]}: share of referrals of BME staff "
        "against the number of referrals",
        desc=describe(funnel),
        parts=mark_safe("".join(parts)),  # noqa: S308 - each part built with format_html
    )


def describe(funnel: Funnel) -> str:
    """The plot in words: its target, and how many points lie where."""
    plural = PLURAL[funnel.level]
    if funnel.p0 is None:
        head = (
            "There is no white or BME headcount on or before this date, so there is no "
            "trust-wide share to draw the funnel around."
        )
    else:
        head = (
            f"Each point is one of the {plural}: across, its number of referrals; up, the "
            f"share of them that were of BME staff. The dotted line is the trust-wide BME "
            f"share of the workforce ({100 * funnel.p0:.1f}%); the solid lines are the 95% "
            f"limits and the dashed lines the 99.8% limits around it."
        )
    where = Counter(p.position for p in funnel.points)
    counts = ", ".join(
        f"{where[pos]} {pos}"
        for pos in (ABOVE_998, ABOVE_95, INSIDE, BELOW_95, BELOW_998)
        if where[pos]
    )
    drawn = f"{len(funnel.points)} drawn" + (f": {counts}" if counts else "")
    if funnel.capped:
        missed = (
            f"; {funnel.not_drawn} not drawn (only the {len(funnel.points)} with the lowest "
            f"p-values are drawn)"
        )
    elif funnel.not_drawn:
        missed = f"; {funnel.not_drawn} not drawn (no referrals, or counts suppressed)"
    else:
        missed = ""
    return f"{head} {drawn}{missed}. The table lists every row."


def _axis_max(n: int) -> int:
    """A round top for the count axis: 10, 20, 50, 100, 200, 500, ..."""
    steps = (1, 2, 5)
    i = 0
    while (top := steps[i % 3] * 10 ** (1 + i // 3)) < n:
        i += 1
    return int(top)


def _axes(sx: Scale, sy: Scale, n_max: int) -> str:
    out: list[str] = [
        format_html(
            '<path d="M{l} {t}V{b}H{r}" stroke="{c}" fill="none"></path>',
            l=LEFT,
            t=TOP,
            b=BOTTOM,
            r=RIGHT,
            c=TEXT,
        )
    ]
    for i in range(5):
        share = i / 4
        out.append(svg_text(LEFT - 6, sy(share) + 4, f"{100 * share:.0f}%", "end"))
        n = n_max * i / 4
        out.append(svg_text(sx(n), BOTTOM + 16, f"{n:g}", "middle"))
    out.append(svg_text((LEFT + RIGHT) / 2, BOTTOM + 36, "Number of referrals (n)", "middle"))
    out.append(
        format_html(
            '<text x="14" y="{}" text-anchor="middle" fill="{}" transform="rotate(-90 14 {})">'
            "Share of referrals of BME staff</text>",
            (TOP + BOTTOM) / 2,
            TEXT,
            (TOP + BOTTOM) / 2,
        )
    )
    return "".join(out)


def _sample(limits: tuple[Limits, ...]) -> list[Limits]:
    """At most ``MAX_VERTICES`` of the limits, always the first 50 and the last."""
    if len(limits) <= MAX_VERTICES:
        return list(limits)
    head = list(limits[:50])
    rest = limits[50:]
    step = math.ceil(len(rest) / (MAX_VERTICES - 50))
    tail = list(rest[::step])
    if tail[-1] is not rest[-1]:
        tail.append(rest[-1])
    return head + tail


def _limits(limits: tuple[Limits, ...], sx: Scale, sy: Scale) -> str:
    sampled = _sample(limits)
    out = []
    for name, dash in (
        ("low_95", ""),
        ("high_95", ""),
        ("low_998", "6 4"),
        ("high_998", "6 4"),
    ):
        points = " ".join(f"{sx(lim.n):.1f},{sy(getattr(lim, name)):.1f}" for lim in sampled)
        if points:
            out.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="1.5" '
                    'stroke-dasharray="{}"></polyline>',
                    points,
                    LIMIT_COLOUR,
                    dash or "none",
                )
            )
    return "".join(out)


def _target(p0: float, sy: Scale) -> str:
    at = sy(p0)
    return format_html(
        '<path d="M{} {}H{}" stroke="{}" stroke-dasharray="1 3" stroke-width="2"></path>',
        LEFT,
        f"{at:.1f}",
        RIGHT,
        TEXT,
    )


def _legend(with_funnel: bool) -> str:
    items = [
        format_html(
            '<circle cx="{}" cy="18" r="4" fill="{}"></circle>{}',
            LEFT + 6,
            POINT_COLOUR,
            svg_text(LEFT + 16, 22, "a point: its share of referrals of BME staff"),
        )
    ]
    if with_funnel:
        for i, (label, dash) in enumerate(
            (("95% limits", "none"), ("99.8% limits", "6 4"), ("trust-wide share", "1 3"))
        ):
            lx = LEFT + 220 + i * 150
            items.append(
                format_html(
                    '<path d="M{} 18H{}" stroke="{}" stroke-width="2" stroke-dasharray="{}">'
                    "</path>{}",
                    lx,
                    lx + 24,
                    LIMIT_COLOUR if i < 2 else TEXT,
                    dash,
                    svg_text(lx + 30, 22, label),
                )
            )
    return "".join(items)
