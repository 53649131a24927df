"""Admin for the panel pool (maintained here), and read-only panel records.

The pool and the staff networks are reference data HR maintains here (or in
bulk with ``import_panel_pool``). Panels, seats, declarations, views and
decisions are written only through ``panels.services`` (which check the
rules, move the case's flow and write its audit path); declarations, views
and decisions are append-only in the database. The admin shows them and
changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from staff.admin import NoEthnicityLookupsMixin
from workflow.admin import (
    CONFLICT_WITHHELD,
    ReadOnlyAdmin,
    ReadOnlyInline,
    can_read_conflict_reasons,
)

from .models import (
    Declaration,
    Panel,
    PanelDecision,
    PanelMembership,
    PanelView,
    PoolMember,
    StaffNetwork,
)


@admin.register(StaffNetwork)
class StaffNetworkAdmin(admin.ModelAdmin[StaffNetwork]):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(PoolMember)
class PoolMemberAdmin(NoEthnicityLookupsMixin[PoolMember], admin.ModelAdmin[PoolMember]):
    list_display = ["user", "employee", "independent_trained_until", "away_until"]
    list_select_related = ["user__employee__org_unit"]
    list_filter = ["networks"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["networks"]
    fields = ["user", "employee", "networks", "independent_trained_until", "away_until"]
    readonly_fields = ["employee"]

    @admin.display(description="employee record (link it with add_user --staff-number)")
    def employee(self, obj: PoolMember) -> Any:
        return getattr(obj.user, "employee", None) or "—"


class MembershipInline(ReadOnlyInline[PanelMembership, Panel]):
    model = PanelMembership
    fields = ["user", "stood_down_at", "replaces"]
    verbose_name_plural = "seats"


class DecisionInline(ReadOnlyInline[PanelDecision, Panel]):
    model = PanelDecision
    fields = [
        "decided_at",
        "decided_by",
        "outcome",
        "rationale",
        "agreed_actions",
        "just_culture_outcome",
        "guide_alignment",
    ]


@admin.register(Panel)
class PanelAdmin(ReadOnlyAdmin[Panel]):
    list_display = ["case", "chair", "convened_by", "convened_at"]
    list_select_related = ["case", "chair", "convened_by"]
    search_fields = ["case__reference"]
    date_hierarchy = "convened_at"
    inlines = [MembershipInline, DecisionInline]


@admin.register(PanelDecision)
class PanelDecisionAdmin(ReadOnlyAdmin[PanelDecision]):
    list_display = ["case", "outcome", "guide_alignment", "decided_by", "decided_at"]
    list_filter = ["outcome", "guide_alignment"]
    list_select_related = ["case", "decided_by"]
    search_fields = ["case__reference"]
    date_hierarchy = "decided_at"


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin[Declaration]):
    list_display = ["membership", "no_conflict", "declared_at"]
    list_filter = ["no_conflict"]
    list_select_related = ["membership"]
    search_fields = ["membership__panel__case__reference", "membership__user__username"]
    readonly_fields = ["reason_for_hr"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        # A conflict's reason is for HR advisers only, superusers included.
        reason = "reason" if can_read_conflict_reasons(request) else "reason_for_hr"
        return ["membership", "no_conflict", reason, "declared_at"]

    @admin.display(description="reason")
    def reason_for_hr(self, obj: Declaration) -> str:
        return CONFLICT_WITHHELD if obj.reason else ""


@admin.register(PanelView)
class PanelViewAdmin(ReadOnlyAdmin[PanelView]):
    list_display = ["membership", "round", "outcome", "recorded_at"]
    list_filter = ["outcome"]
    list_select_related = ["membership"]
    search_fields = ["membership__panel__case__reference", "membership__user__username"]
