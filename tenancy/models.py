"""Trusts, and what every row of a trust's data carries (ADR 0020, docs/tenancy.md)."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from .context import current_trust_id, default_trust_id
from .policy_values import (
    BANDS,
    BANK_HOLIDAY_REGIONS,
    REFERENCE_PREFIX,
    REFERENCE_PREFIX_MAX,
    RETENTION_CLASSES,
    SSO_ROLES,
    STEPS,
    WRES_WINDOWS,
    day_map_errors,
    panel_errors,
    role_map_errors,
)

_M = TypeVar("_M", bound=models.Model)


class Trust(models.Model):
    """An NHS trust served by this deployment: a tenant."""

    # The trust's NHS organisation (ODS) code, such as RAL: short, upper case.
    code = models.CharField(
        max_length=16,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9-]*$", "Use capital letters, digits and -.")],
    )
    name = models.CharField(max_length=200)
    # A host name of its own (hr.example-trust.nhs.uk): requests to it act for
    # this trust only. Blank: people choose among their trusts.
    host = models.CharField(max_length=253, blank=True)
    # Whether its suppressed figures go into the regional benchmark (regional/).
    shares_with_region = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["host"], condition=~models.Q(host=""), name="trust_host_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class TrustManager(models.Manager[_M]):
    """Reads the current trust's rows only.

    On PostgreSQL the row-level security policy is what guarantees it; the
    filter is here so that plans use the trust-first indexes, and so that the
    SQLite demo (no row-level security) keeps its trusts apart too. Outside
    any trust it filters nothing: PostgreSQL then shows nothing anyway."""

    def get_queryset(self) -> models.QuerySet[_M]:
        queryset = super().get_queryset()
        trust_id = current_trust_id()
        return queryset if trust_id is None else queryset.filter(trust_id=trust_id)


class TrustOwned(models.Model):
    """A row of one trust's data. Its table carries the row-level security
    policy (``tenancy.rls``, added by the migration that adds the column)."""

    trust = models.ForeignKey(
        Trust, on_delete=models.PROTECT, related_name="+", default=default_trust_id, editable=False
    )

    objects = TrustManager()

    class Meta:
        abstract = True


class TrustPolicy(models.Model):
    """A trust's own rules (ADR 0020, docs/tenancy.md "Per-trust policy").

    Made with its trust, from the environment's settings (the defaults:
    ``tenancy.policy.policy_defaults``), then the trust's to change in the
    admin. Read through ``tenancy.policy.trust_policy()`` only. It is part of
    the trust's own record, global like ``Trust``: the deployment's
    administrators edit every trust's policy, so the table has no
    ``trust_id`` column and no row-level security policy (its key is the
    trust's id, in ``for_trust_id``).
    """

    trust = models.OneToOneField(
        Trust,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="policy",
        db_column="for_trust_id",
    )
    # Panels (panels.rules.PanelRules).
    panel_min_members = models.PositiveSmallIntegerField(
        "fewest panel members", validators=[MinValueValidator(1)]
    )
    panel_max_members = models.PositiveSmallIntegerField(
        "most panel members", validators=[MinValueValidator(1)]
    )
    panel_min_independent = models.PositiveSmallIntegerField(
        "independent members needed",
        help_text="Trained independent members (cultural ambassadors) with current training.",
    )
    panel_min_outside_icsu = models.PositiveSmallIntegerField(
        "members from outside the ICSU needed"
    )
    panel_min_network = models.PositiveSmallIntegerField("staff network members needed")
    panel_chair_min_band = models.CharField(
        "lowest band that may chair",
        max_length=2,
        choices=[(band, f"Band {band}") for band in BANDS],
    )
    panel_quorum = models.PositiveSmallIntegerField(
        "views needed before the decision", help_text="0: every sitting member."
    )
    # Cases (workflow).
    reference_prefix = models.CharField(
        "case reference prefix",
        max_length=REFERENCE_PREFIX_MAX,
        validators=[
            RegexValidator(
                REFERENCE_PREFIX.pattern,
                "Use capital letters and digits (a hyphen inside), up to 16.",
            )
        ],
    )
    step_time_limits = models.JSONField(
        "time limits per step",
        help_text="Working days per step: " + ", ".join(STEPS) + "; each at least 1.",
    )
    # Notifications.
    reminder_working_days_before = models.PositiveSmallIntegerField(
        "reminder, working days before the due date"
    )
    escalate_decision_maker_after_working_days = models.PositiveSmallIntegerField(
        "decision-makers told, working days after the due date",
        validators=[MinValueValidator(1)],
    )
    # Working days (core.working_days).
    bank_holiday_region = models.CharField(
        "bank holidays of",
        max_length=3,
        choices=list(BANK_HOLIDAY_REGIONS.items()),
    )
    # Reports.
    report_suppression_threshold = models.PositiveSmallIntegerField(
        "small-count suppression threshold",
        validators=[MinValueValidator(1)],
        help_text="Counts from 1 to this minus one are suppressed.",
    )
    wres_window = models.PositiveSmallIntegerField(
        "WRES indicator 3 window (years)", choices=[(w, str(w)) for w in WRES_WINDOWS]
    )
    # Records.
    retention_years = models.JSONField(
        "retention, whole years after closure",
        help_text="Per class: " + ", ".join(RETENTION_CLASSES) + "; each at least 1.",
    )
    sar_name_staff_in_role = models.BooleanField(
        "subject access packs name staff acting in their role"
    )
    # Single sign-on (staff.sso).
    sso_role_map = models.JSONField(
        "single sign-on role map",
        default=dict,
        blank=True,
        help_text='Provider group to roles, e.g. {"g-hr": ["hr"]}. Roles: '
        + ", ".join(SSO_ROLES)
        + ".",
    )
    # The employee's voice and wellbeing (voice/, wellbeing/, suspensions/).
    decision_without_account = models.BooleanField(
        "panel may decide without the employee's account",
        help_text="If ticked, the chair gives a reason when deciding without one.",
    )
    wellbeing_checkin_working_days = models.PositiveSmallIntegerField(
        "wellbeing check-in, every this many working days",
        validators=[MinValueValidator(1)],
    )
    suspension_review_working_days = models.PositiveSmallIntegerField(
        "suspension review, every this many working days",
        validators=[MinValueValidator(1)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "trust policy"
        verbose_name_plural = "trust policies"

    def __str__(self) -> str:
        return f"Policy of trust {self.trust_id}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        sizes = (
            self.panel_min_members,
            self.panel_max_members,
            self.panel_min_independent,
            self.panel_min_outside_icsu,
            self.panel_min_network,
        )
        if all(isinstance(n, int) for n in sizes):
            errors.update(
                panel_errors(
                    min_members=self.panel_min_members,
                    max_members=self.panel_max_members,
                    min_independent=self.panel_min_independent,
                    min_outside_icsu=self.panel_min_outside_icsu,
                    min_network=self.panel_min_network,
                )
            )
        for field, keys, what in (
            ("step_time_limits", STEPS, "the time limits"),
            ("retention_years", RETENTION_CLASSES, "the retention years"),
        ):
            messages = day_map_errors(getattr(self, field), keys, what=what)
            if messages:
                errors[field] = messages
        messages = role_map_errors(self.sso_role_map)
        if messages:
            errors["sso_role_map"] = messages
        if errors:
            raise ValidationError(errors)

    @property
    def stage_time_limits(self) -> dict[str, int]:
        """The step limits per stage, for the audit timeline's stays (a stay in
        ``panel`` spans convening and deciding; ``submitted`` triage only)."""
        steps = self.step_time_limits
        return {
            "submitted": steps["triage"],
            "informal": steps["informal"],
            "panel": steps["convene"] + steps["decide"],
            "signoff": steps["signoff"],
        }

    def roles_by_group(self) -> dict[str, frozenset[str]]:
        """The SSO role map as staff.sso reads it: group -> role values."""
        return {group: frozenset(roles) for group, roles in self.sso_role_map.items()}
