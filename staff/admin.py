"""Admin for reference data. Bulk loads go through the import commands.

An employee's ethnic category is special-category data (UK GDPR). The admin
never puts it in a list: not as a column, a filter, a search or a lookup in
the address (``?ethnic_category=N`` would let anyone who can open the list
learn each person's category by filtering). On one employee's page it is
shown only to users with ``workflow.view_ethnicity`` (superusers, HR and
decision-makers), and each showing is recorded in the audit log, naming the
field and the staff number, never the value (``staff.services``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Model
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse

from accounts.types import as_actor

from .models import Employee, OrgUnit
from .services import employee_special_category_access_record

VIEW_ETHNICITY = "workflow.view_ethnicity"
ETHNICITY_FIELD = "ethnic_category"
# The employee's field and the case's snapshot of it: no admin list may be
# filtered or searched by either, through any relation.
ETHNICITY_FIELDS = frozenset({ETHNICITY_FIELD, "employee_ethnic_category"})
PARENT_RULE = {
    OrgUnit.Kind.TRUST: "An ICSU's parent must be a trust.",
    OrgUnit.Kind.ICSU: "A department's parent must be an ICSU.",
}  # keyed by the kind the parent must be


class OrgUnitForm(forms.ModelForm[OrgUnit]):
    class Meta:
        model = OrgUnit
        fields = ["code", "name", "kind", "parent"]

    def clean(self) -> dict[str, Any]:
        # The database only insists that a trust, and nothing else, is a root;
        # the parent's kind is our rule, the same one the importer enforces.
        # Checking both here gives a plain message instead of a constraint name.
        data = super().clean() or {}
        kind, parent = data.get("kind"), data.get("parent")
        wanted = OrgUnit.PARENT_KIND.get(kind) if kind else None
        if kind and wanted is None and parent is not None:
            self.add_error("parent", "A trust is the top of the tree and has no parent.")
        elif wanted is not None and (parent is None or parent.kind != wanted):
            self.add_error("parent", PARENT_RULE[wanted])
        return data


def names_ethnicity(lookup: str) -> bool:
    """True when an admin list lookup (``?field__in=...``) touches ethnicity."""
    return any(part in ETHNICITY_FIELDS for part in lookup.split(LOOKUP_SEP))


_M = TypeVar("_M", bound=Model)


class NoEthnicityLookupsMixin(admin.ModelAdmin[_M]):
    """Refuses (400) any changelist lookup on an ethnic category.

    Django allows a lookup on any of a model's own fields from the address,
    whatever ``list_filter`` says; on ethnicity that is a way to read it from
    a list that never shows it.
    """

    def lookup_allowed(self, lookup: str, value: str, request: Any = None) -> bool:
        if names_ethnicity(lookup):
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin[OrgUnit]):
    form = OrgUnitForm
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


def can_see_ethnicity(request: HttpRequest) -> bool:
    return request.user.has_perm(VIEW_ETHNICITY)


class EthnicityShowingLoggedMixin(admin.ModelAdmin[_M]):
    """A record's page that may show an ethnic category: only to users who
    may see it (``can_see_ethnicity``), each showing recorded.

    The admin names the model's field (``ethnicity_field``) and how a showing
    of one record is recorded (``record_ethnicity_shown``); when a page shows
    it, and so must be recorded, is decided here once for every admin.
    """

    ethnicity_field: str

    def record_ethnicity_shown(self, request: HttpRequest, obj: _M) -> None:
        raise NotImplementedError

    def fields_shown(self, request: HttpRequest, names: Sequence[Any]) -> list[Any]:
        """``names``, less the ethnicity field for anyone who may not see it."""
        if can_see_ethnicity(request):
            return list(names)
        return [n for n in names if n != self.ethnicity_field]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        # A 200 is the page with the record (a saved change redirects, a refused
        # one is a 403), so the category was shown, whether or not it was a GET.
        if response.status_code == 200 and can_see_ethnicity(request):
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                self.record_ethnicity_shown(request, obj)
        return response


@admin.register(Employee)
class EmployeeAdmin(NoEthnicityLookupsMixin[Employee], EthnicityShowingLoggedMixin[Employee]):
    # Never the ethnic category, for anyone: a list shows it for many people at
    # once and no showing there could be recorded per person.
    list_display = ["staff_number", "name", "job_title", "band", "org_unit"]
    list_filter = ["band", "org_unit__kind"]
    list_select_related = ["org_unit"]
    search_fields = ["staff_number", "name"]
    # Thousands of rows: a search box, not a select with every employee in it.
    autocomplete_fields = ["org_unit", "line_manager"]
    fields = [
        "staff_number",
        "name",
        "job_title",
        "band",
        "org_unit",
        "line_manager",
        ETHNICITY_FIELD,
    ]
    ethnicity_field = ETHNICITY_FIELD

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return self.fields_shown(request, super().get_fields(request, obj))

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Excluded from the form class too, so a hand-crafted POST cannot set it
        # and saving leaves the stored value alone.
        exclude = list(super().get_exclude(request, obj) or [])
        if not can_see_ethnicity(request):
            exclude.append(ETHNICITY_FIELD)
        return exclude

    def record_ethnicity_shown(self, request: HttpRequest, obj: Employee) -> None:
        employee_special_category_access_record(actor=as_actor(request.user), employee=obj)
