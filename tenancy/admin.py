"""Trusts in the Django admin, each with its policy on the same page.

The policy's checks are the model's (``TrustPolicy.clean``), so anything the
environment's settings could not hold is refused here as a form error on
the field it is about. A trust added here starts from the environment's
defaults (``tenancy.policy.policy_defaults``), shown in the policy's form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from .models import Trust, TrustPolicy
from .policy import DEFAULT_SETTINGS, policy_defaults

POLICY_FIELDSETS: Any = (
    (
        "Panels",
        {
            "fields": (
                ("panel_min_members", "panel_max_members"),
                ("panel_min_independent", "panel_min_outside_icsu", "panel_min_network"),
                "panel_chair_min_band",
                "panel_quorum",
            )
        },
    ),
    (
        "Cases and time limits",
        {"fields": ("reference_prefix", "step_time_limits", "bank_holiday_region")},
    ),
    (
        "Reminders and escalation",
        {"fields": ("reminder_working_days_before", "escalate_decision_maker_after_working_days")},
    ),
    (
        "The employee's voice and wellbeing",
        {
            "fields": (
                "decision_without_account",
                "wellbeing_checkin_working_days",
                "suspension_review_working_days",
            )
        },
    ),
    ("Reports", {"fields": ("report_suppression_threshold", "wres_window")}),
    ("Records", {"fields": ("retention_years", "sar_name_staff_in_role")}),
    ("Single sign-on", {"fields": ("sso_role_map",)}),
)


class TrustPolicyForm(forms.ModelForm[TrustPolicy]):
    class Meta:
        model = TrustPolicy
        fields = tuple(DEFAULT_SETTINGS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            # A new trust's form shows what it would start with.
            for name, value in policy_defaults().items():
                self.initial.setdefault(name, value)


class TrustPolicyInline(admin.StackedInline[TrustPolicy, Trust]):
    model = TrustPolicy
    form = TrustPolicyForm
    fieldsets = POLICY_FIELDSETS
    can_delete = False
    min_num = 1
    max_num = 1
    extra = 0
    verbose_name_plural = "policy"


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin[Trust]):
    list_display = ("code", "name", "host", "shares_with_region")
    search_fields = ("code", "name")
    inlines = (TrustPolicyInline,)
