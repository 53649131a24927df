"""The trust's support services, edited in the admin by its HR team.

Every list and page is the current trust's only (``TrustManager``, and
row-level security under it); a new service belongs to the trust being
acted for. HR advisers and the deployment's administrators see these
pages, as they do the letters (``letters.admin``). A service is switched
off (``active``) rather than deleted, so a letter already sent still names
something the trust can look up; deleting is left to administrators.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.roles import Role, has_role

from .models import SupportService


def may_edit_support(user: Any) -> bool:
    """The trust's HR advisers, and the deployment's administrators."""
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.HR)


@admin.register(SupportService)
class SupportServiceAdmin(admin.ModelAdmin[SupportService]):
    list_display = ("name", "kind", "contact", "position", "active")
    list_filter = ("kind", "active")
    list_editable = ("position", "active")
    ordering = ("position", "id")
    fields = ("kind", "name", "contact", "url", "description", "position", "active")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_edit_support(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_edit_support(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_edit_support(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_edit_support(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))
