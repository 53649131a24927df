"""Read-only admin for the loaded figures: they change only through the imports,
which validate whole files and record each load in the audit log."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from .models import Headcount, HistoricalEntry

_M = TypeVar("_M", bound=Model)


class ReadOnly(admin.ModelAdmin[_M]):
    list_select_related = ("org_unit",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Headcount)
class HeadcountAdmin(ReadOnly[Headcount]):
    list_display = ("as_at", "org_unit", "ethnic_category", "headcount")
    list_filter = ("as_at",)
    date_hierarchy = "as_at"


@admin.register(HistoricalEntry)
class HistoricalEntryAdmin(ReadOnly[HistoricalEntry]):
    list_display = ("date", "org_unit", "ethnic_category", "entered")
    list_filter = ("date",)
    date_hierarchy = "date"
