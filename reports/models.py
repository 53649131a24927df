"""The figures reports need beside the cases: workforce headcounts and the
formal-investigation entries from before the product was in use.

Both are aggregates (counts per org unit and ethnic category), never a row
per person, and both are loaded by the CSV imports in ``reports.importers``.
"""

from __future__ import annotations

from django.db import models

from staff.ethnicity import EthnicCategory
from tenancy.models import TrustOwned

_CODE_VALID = models.Q(ethnic_category__in=[c.value for c in EthnicCategory]) | models.Q(
    ethnic_category=""
)


class Headcount(TrustOwned):
    """Staff in post in one org unit and ethnic category on one date (WRES
    takes the position at 31 March). Blank category is unknown, like Z."""

    as_at = models.DateField()
    org_unit = models.ForeignKey("staff.OrgUnit", on_delete=models.PROTECT, related_name="+")
    ethnic_category = models.CharField(max_length=1, choices=EthnicCategory.choices, blank=True)
    headcount = models.PositiveIntegerField()

    class Meta:
        ordering = ["as_at", "org_unit", "ethnic_category"]
        constraints = [
            models.UniqueConstraint(
                fields=["as_at", "org_unit", "ethnic_category"], name="headcount_unique"
            ),
            models.CheckConstraint(condition=_CODE_VALID, name="headcount_ethnic_category_valid"),
        ]

    def __str__(self) -> str:
        return f"Headcount {self.as_at} unit {self.org_unit_id}: {self.headcount}"


class HistoricalEntry(TrustOwned):
    """Formal investigations commissioned before go-live, counted per date,
    org unit and ethnic category, so that trends start before the product."""

    date = models.DateField()
    org_unit = models.ForeignKey("staff.OrgUnit", on_delete=models.PROTECT, related_name="+")
    ethnic_category = models.CharField(max_length=1, choices=EthnicCategory.choices, blank=True)
    entered = models.PositiveIntegerField()

    class Meta:
        ordering = ["date", "org_unit", "ethnic_category"]
        verbose_name_plural = "historical entries"
        constraints = [
            models.UniqueConstraint(
                fields=["date", "org_unit", "ethnic_category"], name="history_unique"
            ),
            models.CheckConstraint(condition=_CODE_VALID, name="history_ethnic_category_valid"),
        ]

    def __str__(self) -> str:
        return f"History {self.date} unit {self.org_unit_id}: {self.entered}"
