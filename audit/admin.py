"""Read-only admin for the audit log.

Events are appended by the service that acted (and showings of personal data
by the screen that showed it); nobody edits them afterwards, and the
database refuses to. A declared conflict's reason is shown to HR advisers
only (``workflow.admin.event_fields``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from workflow.admin import ReadOnlyAdmin, event_fields, reason_unless_conflict

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "case", "action", "from_stage", "to_stage", "actor"]
    list_filter = ["action", "to_stage"]
    list_select_related = ["case", "actor"]
    search_fields = ["case__reference", "actor__username"]
    date_hierarchy = "at"
    readonly_fields = ["reason_unless_conflict"]
    reason_unless_conflict = staticmethod(reason_unless_conflict)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        names = [f.name for f in AuditEvent._meta.fields if f.name != "id"]
        return event_fields(request, names)
