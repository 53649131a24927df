"""The policy's new choices (issue 20), and every role in the SSO role map: deciding without the employee's
account, the wellbeing check-in and suspension review intervals, and the
formal process's time limits. Existing policies take the environment's
defaults, as a new trust does; a limit a trust already set is kept."""

from typing import Any

import django.core.validators
from django.db import migrations, models


def existing_policies_defaults(apps: Any, schema_editor: Any) -> None:
    from tenancy.policy import policy_defaults

    alias = schema_editor.connection.alias
    TrustPolicy = apps.get_model("tenancy", "TrustPolicy")
    defaults = policy_defaults()
    for policy in TrustPolicy.objects.using(alias).all():
        limits = {**defaults["step_time_limits"], **(policy.step_time_limits or {})}
        policy.step_time_limits = limits
        policy.decision_without_account = defaults["decision_without_account"]
        policy.wellbeing_checkin_working_days = defaults["wellbeing_checkin_working_days"]
        policy.suspension_review_working_days = defaults["suspension_review_working_days"]
        policy.save(
            update_fields=[
                "step_time_limits",
                "decision_without_account",
                "wellbeing_checkin_working_days",
                "suspension_review_working_days",
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0003_trust_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="trustpolicy",
            name="decision_without_account",
            field=models.BooleanField(
                default=False,
                help_text="If ticked, the chair gives a reason when deciding without one.",
                verbose_name="panel may decide without the employee's account",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="trustpolicy",
            name="wellbeing_checkin_working_days",
            field=models.PositiveSmallIntegerField(
                default=10,
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="wellbeing check-in, every this many working days",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="trustpolicy",
            name="suspension_review_working_days",
            field=models.PositiveSmallIntegerField(
                default=20,
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="suspension review, every this many working days",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="trustpolicy",
            name="step_time_limits",
            field=models.JSONField(
                help_text="Working days per step: triage, resubmit, informal, convene, decide, signoff, investigate, hearing, appeal; each at least 1.",
                verbose_name="time limits per step",
            ),
        ),
        migrations.AlterField(
            model_name="trustpolicy",
            name="sso_role_map",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='Provider group to roles, e.g. {"g-hr": ["hr"]}. Roles: manager, hr, hr_lead, panel, decision_maker, governance, staff, ftsu_guardian.',
                verbose_name="single sign-on role map",
            ),
        ),
        migrations.RunPython(existing_policies_defaults, migrations.RunPython.noop),
    ]
