"""Read-only admin for the audit trail.

Audit events are appended by the service that acted, and personal-data
accesses by the screen that showed the data; nobody edits either afterwards.
"""

from __future__ import annotations

from django.contrib import admin

from workflow.admin import ReadOnlyAdmin

from .models import AuditEvent, PersonalDataAccess


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "case", "action", "from_stage", "to_stage", "actor"]
    list_filter = ["action", "to_stage"]
    list_select_related = ["case", "actor"]
    search_fields = ["case__reference"]
    date_hierarchy = "at"


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "case", "field", "channel"]
    list_filter = ["field", "channel"]
    list_select_related = ["user", "case"]
    search_fields = ["case__reference", "user__username"]
    date_hierarchy = "at"
