"""The early warning (docs/early-warning.md): which units and managers refer
BME staff more often than their workforce would predict.

For each department, ICSU and referring manager: *n* referrals in the window
(white or BME employees only), *x* of them BME, *p* the BME share of the
unit's white + BME headcount, and the exact one-sided binomial tail
P(X >= x) for X ~ Bin(n, p). The arithmetic is exact (integers and
fractions); only the figures shown are rounded.

The reads run a constant number of queries: the database groups the
referrals by unit, manager and ethnic group, and Python rolls departments up
to their ICSU (``UnitMap``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from django.db.models import Count, F, Max, Sum
from django.utils import timezone

from staff.ethnicity import WresGroup
from staff.models import Employee, OrgUnit
from tenancy.context import trust_id_required
from workflow.models import Case

from .grouping import UnitMap, case_group_expression, group_expression
from .models import Headcount, ReferralHistory

MIN_N = 5
ALERT = Fraction(1, 1000)
WARNING = Fraction(25, 1000)
LEVELS = ("icsu", "department", "manager")
COUNTED = (WresGroup.WHITE.value, WresGroup.BME.value)


# --- the method: pure functions -----------------------------------------------------


def months_before(day: dt.date, months: int) -> dt.date:
    """``day`` less ``months`` calendar months; a day the month lacks is
    clamped to its end (2024-02-29 less 12 months is 2023-02-28)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def binomial_tail(n: int, x: int, p: Fraction) -> Fraction:
    """Exactly P(X >= x) for X ~ Bin(n, p), ``p`` a fraction in [0, 1].

    With p = a/d: the sum of C(n, k) a^k (d - a)^(n - k) over k, all in
    integers, over d^n. The shorter side of the sum is the one computed."""
    if not 0 <= p <= 1:
        raise ValueError("p must be between 0 and 1")
    if n < 0:
        raise ValueError("n must not be negative")
    if x <= 0:
        return Fraction(1)
    if x > n:
        return Fraction(0)
    a, d = p.numerator, p.denominator
    b = d - a

    def terms(ks: range) -> int:
        return sum(math.comb(n, k) * a**k * b ** (n - k) for k in ks)

    total = d**n
    upper = terms(range(x, n + 1)) if x > n - x else total - terms(range(0, x))
    return Fraction(upper, total)


# Up to this many referrals the tail is computed exactly; above it, exact big
# integers cost time that grows as n² (a 1,500-referral ICSU took half a
# second), so the tail is computed in floating point and made exact only where
# a float could change what is shown (``tail_of``).
EXACT_MAX_N = 200
# How close (relatively) a float estimate may come to a band's threshold, or to
# where its 4 significant figures would round the other way, before the exact
# tail is computed instead. The estimate is good to about 1e-11.
_MARGIN = 1e-7


def _tail_estimate(n: int, x: int, p: float) -> float:
    """P(X >= x) for X ~ Bin(n, p) in floating point: the shorter side of
    the sum, its terms in logarithms (no underflow), largest first."""
    if x <= 0:
        return 1.0
    if x > n or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    base = math.lgamma(n + 1)

    def log_term(k: int) -> float:
        return base - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_p + (n - k) * log_q

    upper = x > n * p  # the upper tail is the small side: sum it directly
    ks = range(x, n + 1) if upper else range(0, x)
    logs = [log_term(k) for k in ks]
    top = max(logs)
    total = math.fsum(math.exp(v - top) for v in logs) * math.exp(top)
    return min(1.0, total) if upper else max(0.0, 1.0 - total)


def _near(value: float, mark: float) -> bool:
    return abs(value - mark) <= _MARGIN * max(abs(mark), abs(value))


def _float_is_safe(estimate: float) -> bool:
    """Whether ``estimate`` gives the band and the 4 significant figures the
    exact tail would: away from both thresholds and from a rounding edge, and
    not so small that floating point loses its precision."""
    if estimate < 1e-290:
        return False
    if _near(estimate, float(ALERT)) or _near(estimate, float(WARNING)):
        return False
    low, high = estimate * (1 - _MARGIN), estimate * (1 + _MARGIN)
    return f"{low:.4g}" == f"{high:.4g}"


def tail_of(n: int, x: int, p: Fraction) -> Fraction:
    """P(X >= x) for X ~ Bin(n, p), as the bands and the figures need it:
    exact up to ``EXACT_MAX_N`` referrals and wherever a float could change
    the band or the figures shown; otherwise the float estimate."""
    if n <= EXACT_MAX_N:
        return binomial_tail(n, x, p)
    estimate = _tail_estimate(n, x, float(p))
    if _float_is_safe(estimate):
        return Fraction(estimate)
    return binomial_tail(n, x, p)


def band_of(n: int, p_value: Fraction | None) -> str:
    """``insufficient`` under 5 referrals or with no baseline, else ``alert``
    below 0.001, ``warning`` below 0.025, otherwise ``none`` (strictly below)."""
    if n < MIN_N or p_value is None:
        return "insufficient"
    if p_value < ALERT:
        return "alert"
    if p_value < WARNING:
        return "warning"
    return "none"


def significant(value: Fraction, figures: int = 4) -> float:
    """``value`` rounded to ``figures`` significant figures."""
    return float(f"{float(value):.{figures}g}")


def two_decimals(value: Fraction) -> float:
    """A non-negative ``value`` rounded half up to 2 decimals."""
    return int(value * 200 + 1) // 2 / 100


@dataclass(frozen=True)
class Row:
    level: str
    key: str
    n: int
    bme: int
    p: Fraction | None  # the BME share of the baseline; None when it has no staff

    @cached_property
    def tail(self) -> Fraction | None:
        """The tail (``tail_of``), or None when the band is ``insufficient``."""
        if self.n < MIN_N or self.p is None:
            return None
        return tail_of(self.n, self.bme, self.p)

    def as_json(self) -> dict[str, Any]:
        tail = self.tail
        return {
            "level": self.level,
            "key": self.key,
            "n": self.n,
            "bme": self.bme,
            "expected": None if self.p is None else two_decimals(self.n * self.p),
            "p_value": None if tail is None else significant(tail),
            "band": band_of(self.n, tail),
        }


def ordered(rows: list[Row]) -> list[Row]:
    """By p-value ascending (nulls last), then level, then key."""

    def sort_key(row: Row) -> tuple[Any, ...]:
        tail = row.tail
        return (tail is None, tail or 0, row.level, row.key)

    return sorted(rows, key=sort_key)


def shares(counts: Counter[tuple[Any, str]], keys: list[Any]) -> dict[Any, Fraction | None]:
    """BME / (BME + white) per key of ``counts`` (key, group) -> headcount."""
    out: dict[Any, Fraction | None] = {}
    for key in keys:
        white, bme = counts[(key, "white")], counts[(key, "bme")]
        out[key] = Fraction(bme, white + bme) if white + bme else None
    return out


# --- the reads -----------------------------------------------------------------------


def window_start(as_at: dt.date, window_months: int) -> dt.date:
    """The day after ``as_at`` less the window: the first day counted."""
    return months_before(as_at, window_months) + dt.timedelta(days=1)


def early_warning(as_at: dt.date, window_months: int = 24, *, managers: bool = True) -> list[Row]:
    """Every ICSU and department of the current trust, and (unless
    ``managers`` is False) every manager with a counted referral, ordered
    (``ordered``)."""
    units = UnitMap()
    start = window_start(as_at, window_months)
    kinds = dict(OrgUnit.objects.values_list("id", "kind"))
    codes = dict(OrgUnit.objects.values_list("id", "code"))

    heads = _headcounts(units, kinds, codes, as_at)
    referrals: Counter[tuple[Any, str]] = Counter()
    managers_units: dict[str, int] = {}  # staff number -> their org unit id
    for row in _referral_rows(start, as_at, managers=managers):
        for code in _unit_rows(units, kinds, codes, row["unit"]):
            referrals[(code, row["group"])] += row["n"]
        number = row["manager"]
        if number:  # a manager with no employee record has no staff number
            referrals[(("manager", number), row["group"])] += row["n"]
            managers_units[number] = row["manager_unit"]

    unit_codes = sorted(
        (kind, code)
        for pk, kind in kinds.items()
        if kind in (OrgUnit.Kind.ICSU, OrgUnit.Kind.DEPARTMENT)
        for code in [codes[pk]]
    )
    unit_p = shares(heads, [code for _, code in unit_codes])

    def manager_p(unit_id: int) -> Fraction | None:
        """The share of the manager's own unit (an ICSU's with its departments)."""
        if kinds.get(unit_id) in (OrgUnit.Kind.ICSU, OrgUnit.Kind.DEPARTMENT):
            return unit_p[codes[unit_id]]
        return shares(heads, [unit_id])[unit_id]

    rows = [
        Row(
            level=str(kind),
            key=code,
            n=referrals[(code, "white")] + referrals[(code, "bme")],
            bme=referrals[(code, "bme")],
            p=unit_p[code],
        )
        for kind, code in unit_codes
    ]
    for number, unit_id in managers_units.items():
        key = ("manager", number)
        n = referrals[(key, "white")] + referrals[(key, "bme")]
        if n:
            rows.append(
                Row(
                    level="manager",
                    key=number,
                    n=n,
                    bme=referrals[(key, "bme")],
                    p=manager_p(unit_id),
                )
            )
    return ordered(rows)


def _headcounts(
    units: UnitMap, kinds: dict[int, str], codes: dict[int, str], as_at: dt.date
) -> Counter[tuple[Any, str]]:
    """(unit code, group) -> headcount in the latest snapshot on or before
    ``as_at``, rolled up as referrals are; and (unit id, group) -> the unit's
    own rows, for a manager held against a trust-level unit."""
    heads: Counter[tuple[Any, str]] = Counter()
    latest = Headcount.objects.filter(as_at__lte=as_at).aggregate(d=Max("as_at"))["d"]
    if latest is not None:
        for row in (
            Headcount.objects.filter(as_at=latest)
            .annotate(unit=F("org_unit_id"), group=group_expression("ethnic_category"))
            .values("unit", "group")
            .annotate(h=Sum("headcount"))
            .order_by()
        ):
            for code in _unit_rows(units, kinds, codes, row["unit"]):
                heads[(code, row["group"])] += row["h"]
            # A trust-level unit's own share, for a manager held against it.
            heads[(row["unit"], row["group"])] += row["h"]
    return heads


def _unit_rows(
    units: UnitMap, kinds: dict[int, str], codes: dict[int, str], unit_id: int
) -> list[str]:
    """The unit rows a unit's figures count in: a department's own row and
    its ICSU's; an ICSU's own row (figures held against the ICSU itself);
    nothing for a trust-level unit."""
    kind = kinds.get(unit_id)
    if kind == OrgUnit.Kind.DEPARTMENT:
        icsu = units.icsu_of(unit_id)
        return [codes[unit_id], *([icsu] if icsu else [])]
    if kind == OrgUnit.Kind.ICSU:
        return [codes[unit_id]]
    return []


def _referral_rows(start: dt.date, end: dt.date, *, managers: bool) -> list[dict[str, Any]]:
    """(unit, manager staff number, manager's unit, group, n) for the white
    and BME referrals submitted from ``start`` to ``end`` inclusive: product
    cases by their submission's local date, imported history by its date.
    Without ``managers``, (unit, group, n) only, and no manager is read."""
    if not managers:
        return _unit_referral_rows(start, end)
    trust = trust_id_required()
    # Grouped by the manager's login, from the submissions index alone (its
    # included columns: workflow.Case's ``case_submitted``); the managers' staff
    # numbers and units are then read once per manager, not joined per case.
    cases = list(
        Case.objects.filter(
            submitted_at__gte=_midnight(start), submitted_at__lt=_midnight(end + dt.timedelta(1))
        )
        .annotate(unit=F("employee_org_unit_id"), group=case_group_expression())
        .filter(group__in=COUNTED)
        .values("unit", "group", "referring_manager_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    logins = {row["referring_manager_id"] for row in cases}
    # A login's employee record at another trust is not a staff number here.
    records = {
        user_id: (number, unit)
        for user_id, number, unit in Employee.objects.filter(
            user_id__in=logins, trust_id=trust
        ).values_list("user_id", "staff_number", "org_unit_id")
    }
    rows: list[dict[str, Any]] = []
    for row in cases:
        number, unit = records.get(row["referring_manager_id"], (None, None))
        rows.append({**row, "manager": number, "manager_unit": unit})
    history = (
        ReferralHistory.objects.filter(referred_on__gte=start, referred_on__lte=end)
        .annotate(
            unit=F("org_unit_id"),
            group=group_expression("ethnic_category"),
            manager_number=F("manager__staff_number"),
            manager_unit=F("manager__org_unit_id"),
        )
        .filter(group__in=COUNTED)
        .values("unit", "group", "manager_number", "manager_unit")
        .annotate(n=Count("*"))
        .order_by()
    )
    rows.extend({**row, "manager": row["manager_number"]} for row in history)
    return rows


def _unit_referral_rows(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    cases = (
        Case.objects.filter(
            submitted_at__gte=_midnight(start), submitted_at__lt=_midnight(end + dt.timedelta(1))
        )
        .annotate(unit=F("employee_org_unit_id"), group=case_group_expression())
        .filter(group__in=COUNTED)
        .values("unit", "group")
        .annotate(n=Count("*"))
        .order_by()
    )
    history = (
        ReferralHistory.objects.filter(referred_on__gte=start, referred_on__lte=end)
        .annotate(unit=F("org_unit_id"), group=group_expression("ethnic_category"))
        .filter(group__in=COUNTED)
        .values("unit", "group")
        .annotate(n=Count("*"))
        .order_by()
    )
    return [{**row, "manager": None} for row in (*cases, *history)]


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day))
