"""Each trust's own policy (docs/tenancy.md "Per-trust policy").

Trusts that exist already (the one ``0002`` made from a deployment that ran
before trusts) are given the environment's settings, as a new trust is.
"""

from typing import Any

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def existing_trusts_policy(apps: Any, schema_editor: Any) -> None:
    from tenancy.policy import policy_defaults

    alias = schema_editor.connection.alias
    Trust = apps.get_model("tenancy", "Trust")
    TrustPolicy = apps.get_model("tenancy", "TrustPolicy")
    defaults = policy_defaults()
    for trust in Trust.objects.using(alias).filter(policy__isnull=True):
        TrustPolicy.objects.using(alias).create(trust=trust, **defaults)


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0002_existing_rows_trust"),
    ]

    operations = [
        migrations.CreateModel(
            name="TrustPolicy",
            fields=[
                (
                    "trust",
                    models.OneToOneField(
                        db_column="for_trust_id",
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="policy",
                        serialize=False,
                        to="tenancy.trust",
                    ),
                ),
                (
                    "panel_min_members",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="fewest panel members",
                    ),
                ),
                (
                    "panel_max_members",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="most panel members",
                    ),
                ),
                (
                    "panel_min_independent",
                    models.PositiveSmallIntegerField(
                        help_text="Trained independent members (cultural ambassadors) with current training.",
                        verbose_name="independent members needed",
                    ),
                ),
                (
                    "panel_min_outside_icsu",
                    models.PositiveSmallIntegerField(
                        verbose_name="members from outside the ICSU needed"
                    ),
                ),
                (
                    "panel_min_network",
                    models.PositiveSmallIntegerField(verbose_name="staff network members needed"),
                ),
                (
                    "panel_chair_min_band",
                    models.CharField(
                        choices=[
                            ("1", "Band 1"),
                            ("2", "Band 2"),
                            ("3", "Band 3"),
                            ("4", "Band 4"),
                            ("5", "Band 5"),
                            ("6", "Band 6"),
                            ("7", "Band 7"),
                            ("8a", "Band 8a"),
                            ("8b", "Band 8b"),
                            ("8c", "Band 8c"),
                            ("8d", "Band 8d"),
                            ("9", "Band 9"),
                        ],
                        max_length=2,
                        verbose_name="lowest band that may chair",
                    ),
                ),
                (
                    "panel_quorum",
                    models.PositiveSmallIntegerField(
                        help_text="0: every sitting member.",
                        verbose_name="views needed before the decision",
                    ),
                ),
                (
                    "reference_prefix",
                    models.CharField(
                        max_length=16,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Z0-9](?:[A-Z0-9-]{0,14}[A-Z0-9])?$",
                                "Use capital letters and digits (a hyphen inside), up to 16.",
                            )
                        ],
                        verbose_name="case reference prefix",
                    ),
                ),
                (
                    "step_time_limits",
                    models.JSONField(
                        help_text="Working days per step: triage, resubmit, informal, convene, decide, signoff; each at least 1.",
                        verbose_name="time limits per step",
                    ),
                ),
                (
                    "reminder_working_days_before",
                    models.PositiveSmallIntegerField(
                        verbose_name="reminder, working days before the due date"
                    ),
                ),
                (
                    "escalate_decision_maker_after_working_days",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="decision-makers told, working days after the due date",
                    ),
                ),
                (
                    "bank_holiday_region",
                    models.CharField(
                        choices=[
                            ("ENG", "England"),
                            ("WLS", "Wales"),
                            ("SCT", "Scotland"),
                            ("NIR", "Northern Ireland"),
                        ],
                        max_length=3,
                        verbose_name="bank holidays of",
                    ),
                ),
                (
                    "report_suppression_threshold",
                    models.PositiveSmallIntegerField(
                        help_text="Counts from 1 to this minus one are suppressed.",
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="small-count suppression threshold",
                    ),
                ),
                (
                    "wres_window",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "1"), (2, "2")], verbose_name="WRES indicator 3 window (years)"
                    ),
                ),
                (
                    "retention_years",
                    models.JSONField(
                        help_text="Per class: no_formal, formal; each at least 1.",
                        verbose_name="retention, whole years after closure",
                    ),
                ),
                (
                    "sar_name_staff_in_role",
                    models.BooleanField(
                        verbose_name="subject access packs name staff acting in their role"
                    ),
                ),
                (
                    "sso_role_map",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text='Provider group to roles, e.g. {"g-hr": ["hr"]}. Roles: manager, hr, panel, decision_maker, governance.',
                        verbose_name="single sign-on role map",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "trust policy",
                "verbose_name_plural": "trust policies",
            },
        ),
        migrations.RunPython(existing_trusts_policy, migrations.RunPython.noop),
    ]
