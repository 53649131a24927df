"""Admin for reference data. Bulk loads go through the import commands.

An employee's ethnic category is special-category data (UK GDPR): the admin
shows it, in the list or the form, only to users with ``workflow.view_ethnicity``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from .models import Employee, OrgUnit

VIEW_ETHNICITY = "workflow.view_ethnicity"
ETHNICITY_FIELD = "ethnic_category"
PARENT_RULE = {
    OrgUnit.Kind.TRUST: "An ICSU's parent must be a trust.",
    OrgUnit.Kind.ICSU: "A department's parent must be an ICSU.",
}  # keyed by the kind the parent must be


class OrgUnitForm(forms.ModelForm):
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


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    form = OrgUnitForm
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
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

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        fields = list(super().get_list_display(request))
        if can_see_ethnicity(request):
            fields.append(ETHNICITY_FIELD)
        return fields

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fields = list(super().get_fields(request, obj))
        if can_see_ethnicity(request):
            return fields
        return [f for f in fields if f != ETHNICITY_FIELD]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Excluded from the form class too, so a hand-crafted POST cannot set it
        # and saving leaves the stored value alone.
        exclude = list(super().get_exclude(request, obj) or [])
        if not can_see_ethnicity(request):
            exclude.append(ETHNICITY_FIELD)
        return exclude


def can_see_ethnicity(request: HttpRequest) -> bool:
    return request.user.has_perm(VIEW_ETHNICITY)
