"""The HR lead role, and out-of-office delegations (issue 19, docs/case-owners.md)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import tenancy.context
import tenancy.rls


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_staff_and_guardian_roles"),
        ("tenancy", "0003_trust_policy"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="membership",
            name="membership_role_valid",
        ),
        migrations.AlterField(
            model_name="membership",
            name="role",
            field=models.CharField(
                choices=[
                    ("manager", "Referring manager"),
                    ("hr", "HR adviser"),
                    ("panel", "Panel member"),
                    ("decision_maker", "Decision-maker"),
                    ("governance", "Governance viewer"),
                    ("staff", "Member of staff"),
                    ("ftsu_guardian", "Freedom to Speak Up guardian"),
                    ("hr_lead", "HR lead"),
                ],
                max_length=32,
            ),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "role__in",
                        [
                            "manager",
                            "hr",
                            "panel",
                            "decision_maker",
                            "governance",
                            "staff",
                            "ftsu_guardian",
                            "hr_lead",
                        ],
                    )
                ),
                name="membership_role_valid",
            ),
        ),
        migrations.CreateModel(
            name="Delegation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("starts_on", models.DateField()),
                ("ends_on", models.DateField()),
                ("reason", models.CharField(blank=True, max_length=200)),
                ("created_at", models.DateTimeField()),
                ("ended_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "delegate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="delegations_held",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="delegations_given",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "trust",
                    models.ForeignKey(
                        default=tenancy.context.default_trust_id,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.trust",
                    ),
                ),
            ],
            options={
                "ordering": ["-starts_on", "-id"],
                "indexes": [
                    models.Index(
                        fields=["trust", "delegate", "ends_on"], name="delegation_delegate"
                    ),
                    models.Index(fields=["trust", "person", "ends_on"], name="delegation_person"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends_on__gte", models.F("starts_on"))),
                        name="delegation_dates_in_order",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("person", models.F("delegate")), _negated=True),
                        name="delegation_not_to_self",
                    ),
                ],
            },
        ),
        tenancy.rls.TrustIsolation("accounts_delegation"),
    ]
