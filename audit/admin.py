"""Read-only admin for the audit log.

Events are appended by the service that acted (and showings of personal data
by the screen that showed it); nobody edits them afterwards, and the
database refuses to.
"""

from __future__ import annotations

from django.contrib import admin

from workflow.admin import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "case", "action", "from_stage", "to_stage", "actor"]
    list_filter = ["action", "to_stage"]
    list_select_related = ["case", "actor"]
    search_fields = ["case__reference", "actor__username"]
    date_hierarchy = "at"
