"""The figures reports need beside the cases: workforce headcounts, the
formal-investigation entries from before the product was in use, and the
proposed referrals from before it (for the early warning).

Headcounts and entries are aggregates (counts per org unit and ethnic
category), never a row per person; referral history is a row per referral,
naming the two employees. All are loaded by CSV imports (``reports.importers``).
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


class ReferralHistory(TrustOwned):
    """A proposed referral from before the product (a spreadsheet, an ER
    Tracker export), for the early warning (``import_referral_history``).

    The employee's org unit and ethnic category are copied from their
    employee record when imported, as a case copies them at submission. A
    row is identified by its four imported values: importing a file again
    adds nothing twice."""

    referred_on = models.DateField()
    manager = models.ForeignKey("staff.Employee", on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey("staff.Employee", on_delete=models.PROTECT, related_name="+")
    entered_formal = models.BooleanField()
    org_unit = models.ForeignKey("staff.OrgUnit", on_delete=models.PROTECT, related_name="+")
    ethnic_category = models.CharField(max_length=1, choices=EthnicCategory.choices, blank=True)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["referred_on", "id"]
        verbose_name_plural = "referral history"
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "referred_on", "manager", "employee", "entered_formal"],
                name="referral_history_once",
            ),
            models.CheckConstraint(
                condition=_CODE_VALID, name="referral_history_ethnic_category_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["trust", "referred_on"], name="referral_history_on"),
        ]

    def __str__(self) -> str:
        return f"Referral on {self.referred_on} of employee {self.employee_id}"


class EarlyWarningAlert(TrustOwned):
    """A unit or referring manager in the early warning's ``alert`` band as at
    the end of an NHS quarter (``reports.early_warning_alerts``): the record
    the quarterly run keeps, so that the next quarter's run tells HR only
    about alerts that are new. Warnings are not kept (docs/early-warning.md).

    The figures are the ones the run saw; a later import of older referrals
    does not change them."""

    class Level(models.TextChoices):
        ICSU = "icsu", "ICSU"
        DEPARTMENT = "department", "Department"
        MANAGER = "manager", "Referring manager"

    quarter_end = models.DateField()
    level = models.CharField(max_length=12, choices=Level.choices)
    key = models.CharField(max_length=64)  # the org unit's code or the manager's staff number
    window_months = models.PositiveSmallIntegerField()
    n = models.PositiveIntegerField()
    bme = models.PositiveIntegerField()
    expected = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    p_value = models.FloatField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["quarter_end", "level", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "level", "key", "quarter_end"], name="early_warning_alert_once"
            ),
        ]
        indexes = [
            models.Index(fields=["trust", "quarter_end"], name="early_warning_alert_quarter"),
        ]

    def __str__(self) -> str:
        return f"Early-warning alert {self.quarter_end} {self.level} {self.key}"


class EarlyWarningSnapshot(TrustOwned):
    """The early warning of one trust as at one day over one window, computed
    once and kept (``reports.early_warning_snapshot``), so that the page reads
    one page of rows however many managers a trust has (docs/early-warning.md,
    "Snapshots"). Computed each night as at the day before, at each quarter's
    alert run, and when HR asks for another date or window."""

    class Reason(models.TextChoices):
        NIGHTLY = "nightly", "Nightly run"
        QUARTER_END = "quarter_end", "Quarterly alert run"
        REQUESTED = "requested", "Asked for by HR"

    as_at = models.DateField()
    window_months = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=12, choices=Reason.choices)
    computed_at = models.DateTimeField()
    icsus = models.PositiveIntegerField()  # rows at each level, for page counts
    departments = models.PositiveIntegerField()
    managers = models.PositiveIntegerField()

    class Meta:
        ordering = ["-as_at", "window_months"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "as_at", "window_months"], name="early_warning_snapshot_once"
            ),
        ]
        indexes = [
            models.Index(fields=["trust", "window_months", "as_at"], name="ew_snapshot_latest"),
        ]

    def __str__(self) -> str:
        return f"Early warning as at {self.as_at} over {self.window_months} months"

    def count(self, level: str | None = None) -> int:
        counts = {"icsu": self.icsus, "department": self.departments, "manager": self.managers}
        return counts[level] if level else sum(counts.values())


class EarlyWarningRow(TrustOwned):
    """One unit's or referring manager's row of a snapshot, as the method
    gives it (``reports.early_warning.Row``): figures rounded as shown, the
    band, the place against the funnel, and the row's place in the HR view's
    order (``rank`` among all rows, ``level_rank`` within its level; both
    from 0), which the page reads a range of."""

    snapshot = models.ForeignKey(EarlyWarningSnapshot, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=12, choices=EarlyWarningAlert.Level.choices)
    key = models.CharField(max_length=64)  # the org unit's code or the manager's staff number
    n = models.PositiveIntegerField()
    bme = models.PositiveIntegerField()
    expected = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    p_value = models.FloatField(null=True)  # 4 significant figures; None when insufficient
    band = models.CharField(max_length=12)
    position = models.CharField(max_length=40, blank=True)
    rank = models.PositiveIntegerField()
    level_rank = models.PositiveIntegerField()

    class Meta:
        ordering = ["snapshot", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "rank"], name="ew_row_rank"),
            models.UniqueConstraint(
                fields=["snapshot", "level", "level_rank"], name="ew_row_level_rank"
            ),
        ]

    def __str__(self) -> str:
        return f"Early-warning row {self.level} {self.key}"
