"""Read-only admin for panels and their decisions.

Panels are convened and decisions recorded only through ``panels.services``
(which move the case's flow and write its audit path); decisions are
append-only in the database. The admin shows them and changes nothing.
"""

from __future__ import annotations

from django.contrib import admin

from workflow.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Panel, PanelDecision, PanelMembership


class MembershipInline(ReadOnlyInline):
    model = PanelMembership
    fields = ["user"]
    verbose_name_plural = "members"


class DecisionInline(ReadOnlyInline):
    model = PanelDecision
    fields = ["decided_at", "decided_by", "outcome", "rationale"]


@admin.register(Panel)
class PanelAdmin(ReadOnlyAdmin):
    list_display = ["case", "chair", "convened_by", "convened_at"]
    list_select_related = ["case", "chair", "convened_by"]
    search_fields = ["case__reference"]
    date_hierarchy = "convened_at"
    inlines = [MembershipInline, DecisionInline]


@admin.register(PanelDecision)
class PanelDecisionAdmin(ReadOnlyAdmin):
    list_display = ["case", "outcome", "decided_by", "decided_at"]
    list_filter = ["outcome"]
    list_select_related = ["case", "decided_by"]
    search_fields = ["case__reference"]
    date_hierarchy = "decided_at"
