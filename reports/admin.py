"""Read-only admin for the loaded figures: they change only through the imports,
which validate whole files and record each load in the audit log.

Headcounts and historical entries are aggregates (no person is named), so
their ethnic category is shown like any column. Referral history names two
people: its ethnic category is the referred employee's, special-category
data, so it follows the employee admin's rules (``staff.admin``): never in
the list or a lookup, shown on a row's page only to users holding
``workflow.view_ethnicity``, and each showing recorded."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from accounts.types import as_actor
from staff.admin import EthnicityShowingLoggedMixin, NoEthnicityLookupsMixin
from staff.services import employee_special_category_access_record

from .models import Headcount, HistoricalEntry, ReferralHistory

_M = TypeVar("_M", bound=Model)


class ReadOnly(admin.ModelAdmin[_M]):
    list_select_related: ClassVar[bool | list[str] | tuple[str, ...]] = ("org_unit",)

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


REFERRAL_FIELDS = [
    "referred_on",
    "manager",
    "employee",
    "entered_formal",
    "org_unit",
    "ethnic_category",
    "imported_at",
]


@admin.register(ReferralHistory)
class ReferralHistoryAdmin(
    NoEthnicityLookupsMixin[ReferralHistory],
    EthnicityShowingLoggedMixin[ReferralHistory],
    ReadOnly[ReferralHistory],
):
    # Never the ethnic category in the list, for anyone (as for employees).
    list_display = ("referred_on", "manager", "employee", "entered_formal", "org_unit")
    list_filter = ("entered_formal", "referred_on")
    list_select_related = ("org_unit", "manager", "employee")
    search_fields = ("manager__staff_number", "employee__staff_number")
    date_hierarchy = "referred_on"
    ethnicity_field = "ethnic_category"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return self.fields_shown(request, REFERRAL_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.fields_shown(request, REFERRAL_FIELDS)

    def record_ethnicity_shown(self, request: HttpRequest, obj: ReferralHistory) -> None:
        employee_special_category_access_record(actor=as_actor(request.user), employee=obj.employee)
