"""How rows are grouped for reports: WRES years, ethnic groups and ICSUs.

Ethnic group is a SQL CASE over NHS codes (the same rule as
``staff.ethnicity.wres_group``). ICSU is not a join per row: the database
groups by org unit, and units are rolled up to their ICSU and the trust in
Python through one small mapping (``UnitMap``), read once per report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Case, CharField, Expression, F, IntegerField, Q, Value, When
from django.utils import timezone

from staff.ethnicity import BME_CODES, WHITE_CODES, WresGroup
from staff.models import OrgUnit

GROUPS = (WresGroup.WHITE, WresGroup.BME, WresGroup.UNKNOWN)
TRUST = "TRUST"


def wres_year_of(day: dt.date) -> int:
    """The WRES year a date falls in, named by the calendar year it starts in."""
    return day.year if day.month >= 4 else day.year - 1


def wres_year_end(year: int) -> dt.date:
    """The 31 March that ends WRES year ``year``: the workforce position's date."""
    return dt.date(year + 1, 3, 31)


def year_start(year: int) -> dt.datetime:
    """Midnight on 1 April of ``year`` in the trust's time zone (TIME_ZONE)."""
    return timezone.make_aware(dt.datetime(year, 4, 1))


def group_expression(field: str) -> Case:
    """SQL: the WRES group of the ethnic category code in ``field``."""
    return Case(
        When(Q(**{f"{field}__in": sorted(WHITE_CODES)}), then=Value(WresGroup.WHITE.value)),
        When(Q(**{f"{field}__in": sorted(BME_CODES)}), then=Value(WresGroup.BME.value)),
        default=Value(WresGroup.UNKNOWN.value),
        output_field=CharField(),
    )


def case_group_expression(prefix: str = "") -> Case:
    """SQL: a case's WRES group. A destroyed case file keeps only its group
    (``wres_group``; its ethnic category was blanked: docs/retention.md), so
    the reports count it where it counted before."""
    return Case(
        When(Q(**{f"{prefix}destroyed_at__isnull": False}), then=F(f"{prefix}wres_group")),
        When(
            Q(**{f"{prefix}employee_ethnic_category__in": sorted(WHITE_CODES)}),
            then=Value(WresGroup.WHITE.value),
        ),
        When(
            Q(**{f"{prefix}employee_ethnic_category__in": sorted(BME_CODES)}),
            then=Value(WresGroup.BME.value),
        ),
        default=Value(WresGroup.UNKNOWN.value),
        output_field=CharField(),
    )


def year_expression(field: str, first: int, last: int) -> Expression:
    """SQL: the WRES year (``first`` to ``last``) of the datetime in ``field``;
    callers filter ``field`` to the years' span first."""
    whens = [
        When(Q(**{f"{field}__lt": year_start(year + 1)}), then=Value(year))
        for year in range(first, last)
    ]
    return Case(*whens, default=Value(last), output_field=IntegerField())


def date_year_expression(field: str, first: int, last: int) -> Expression:
    """As ``year_expression``, for a date column."""
    whens = [
        When(Q(**{f"{field}__lt": dt.date(year + 1, 4, 1)}), then=Value(year))
        for year in range(first, last)
    ]
    return Case(*whens, default=Value(last), output_field=IntegerField())


@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    name: str


class UnitMap:
    """Every org unit's ICSU, from one query. A trust-level unit has none: its
    figures count for the trust only."""

    def __init__(self) -> None:
        rows = list(OrgUnit.objects.values_list("id", "code", "name", "kind", "parent_id"))
        self.icsus = sorted(
            (Unit(pk, code, name) for pk, code, name, kind, _ in rows if kind == "icsu"),
            key=lambda u: u.code,
        )
        icsu_ids = {u.id: u.code for u in self.icsus}
        self._icsu_of: dict[int, str | None] = {}
        for pk, _, _, kind, parent in rows:
            if kind == "icsu":
                self._icsu_of[pk] = icsu_ids[pk]
            elif kind == "department" and parent is not None:
                self._icsu_of[pk] = icsu_ids.get(parent)
            else:
                self._icsu_of[pk] = None

    def icsu_of(self, unit_id: int) -> str | None:
        return self._icsu_of.get(unit_id)

    def codes(self) -> list[str]:
        """TRUST first, then each ICSU by code: the order of every report."""
        return [TRUST, *(u.code for u in self.icsus)]

    def names(self) -> dict[str, str]:
        return {TRUST: "Trust-wide", **{u.code: u.name for u in self.icsus}}

    def roll_up(self, unit_id: int) -> Iterator[str]:
        """The report rows a unit's figures count in: the trust and its ICSU."""
        yield TRUST
        icsu = self.icsu_of(unit_id)
        if icsu is not None:
            yield icsu
