"""The regional benchmark: each sharing trust's figures, already suppressed.

These tables are deliberately **not** a trust's data (ADR 0020,
docs/regional.md). Each trust's row is written by a task acting inside that
trust, from the trust's own governance pack, with its suppression applied;
a suppressed figure is stored without its value. The regional viewer reads
only these tables and never a trust's own.

The foreign key to the trust is stored in ``sharing_trust_id``, not
``trust_id``: a ``trust_id`` column marks a table of one trust's rows, which
must carry the row-level security policy (``tenancy.checks``). These rows
are shared across trusts on purpose, so they carry no policy.
"""

from __future__ import annotations

from django.db import models

from tenancy.models import Trust

INDICATOR = "indicator3"
FUNNEL = "funnel"
EARLY_WARNING = "early_warning"
FTSU = "ftsu"
SECTIONS = [
    (INDICATOR, "WRES indicator 3"),
    (FUNNEL, "Referral funnel"),
    (EARLY_WARNING, "Early warning: units by band"),
    (FTSU, "Freedom to Speak Up quarter"),
]


class TrustBenchmark(models.Model):
    """One sharing trust's figures for one WRES year, as its own governance
    pack for that year shows them to a governance viewer."""

    trust = models.ForeignKey(
        Trust, on_delete=models.CASCADE, related_name="+", db_column="sharing_trust_id"
    )
    year = models.PositiveSmallIntegerField(help_text="WRES year, named by the year it starts in.")
    funnel_start = models.DateField()
    funnel_end = models.DateField()
    # The trust's own small-cell threshold when its figures were computed.
    threshold = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField()
    # The early warning's last day (the refresh's day) and the FTSU quarter
    # (the latest complete one then) whose figures were shared; null for a
    # row written before they were.
    early_warning_as_at = models.DateField(null=True, blank=True)
    ftsu_year = models.PositiveSmallIntegerField(null=True, blank=True)
    ftsu_quarter = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["year", "trust"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "year"], name="trustbenchmark_unique"),
        ]
        indexes = [models.Index(fields=["year"], name="trustbenchmark_year")]
        permissions = [("view_regional_benchmark", "Can view the regional benchmark")]

    def __str__(self) -> str:
        return f"Regional figures of trust {self.trust_id} for {self.year}"


class BenchmarkFigure(models.Model):
    """One figure of a trust's benchmark. ``value`` is None when the figure
    is suppressed (``suppressed``) or undefined (a ratio with no white
    entries): the suppressed value never leaves the trust."""

    benchmark = models.ForeignKey(TrustBenchmark, on_delete=models.CASCADE, related_name="figures")
    section = models.CharField(max_length=16, choices=SECTIONS)
    # 1 or 2 (years) for indicator 3; 0 for the other sections, which have no window.
    window = models.PositiveSmallIntegerField()
    # white, bme, unknown, all; blank for the ratio and its interval; the
    # level (icsu, department) for the early warning.
    group = models.CharField(max_length=16, blank=True)
    measure = models.CharField(max_length=48)
    value = models.FloatField(null=True)
    suppressed = models.BooleanField()

    class Meta:
        ordering = ["benchmark", "section", "window", "group", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["benchmark", "section", "window", "group", "measure"],
                name="benchmarkfigure_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(suppressed=False) | models.Q(value__isnull=True),
                name="benchmarkfigure_suppressed_has_no_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section} {self.window} {self.group} {self.measure}"
