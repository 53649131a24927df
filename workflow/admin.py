"""Read-only admin for cases, sign-offs and the audit log.

Cases change only through the services in ``workflow.services`` and
``panels.services``: they check who may act, move the viewflow process and
append the audit event in one transaction. An admin form could do none of
that, so the admin shows cases and never adds, changes or deletes them.

A panel member's reason for a conflict of interest is shown to HR advisers
only, everywhere (README); in the admin that includes superusers who are not
HR advisers: the declaration's event in a case's path shows it withheld.

The employee's ethnic category is special-category data (UK GDPR): it is
never in a list (column, filter, search or a lookup in the address, which
every admin here refuses), and on a case's page it is shown only to users
holding ``workflow.view_ethnicity``, each showing recorded as a personal-data
access (``staff.admin.EthnicityShowingLoggedMixin``, shared with the employee's
page).

The audit log's events are appended by the service that acted (and showings
of personal data by the screen that showed it); nobody edits them afterwards,
and the database refuses to. Its admin is here rather than in ``audit``
because it shows them with the case's rules (a declared conflict's reason),
and ``audit`` sits below ``workflow``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from accounts.roles import Role, has_role
from accounts.types import as_actor
from audit.models import AuditEvent
from audit.services import personal_data_access_record
from staff.admin import EthnicityShowingLoggedMixin, NoEthnicityLookupsMixin

from .models import Case, JustCultureAssessment, SignOff
from .rules import Action

ETHNICITY_FIELD = "employee_ethnic_category"


_M = TypeVar("_M", bound=Model)
_Parent = TypeVar("_Parent", bound=Model)


class ReadOnlyAdmin(NoEthnicityLookupsMixin[_M], admin.ModelAdmin[_M]):
    """Shows records; never adds, changes or deletes them.

    Without change permission Django renders every field read-only and
    answers a change POST with 403. No list may be filtered by ethnicity.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline[_M, _Parent]):
    extra = 0
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


CONFLICT_WITHHELD = "(withheld: the reason for a conflict of interest is shown to HR advisers only)"


def can_read_conflict_reasons(request: HttpRequest) -> bool:
    """HR advisers only; holding every permission (a superuser) is not enough."""
    return has_role(request.user, Role.HR)


@admin.display(description="reason")
def reason_unless_conflict(event: AuditEvent) -> str:
    """An event's reason, but not a declared conflict's (whoever is looking:
    callers choose this field only for people who may not read those)."""
    if event.action == Action.DECLARE and event.reason:
        return CONFLICT_WITHHELD
    return event.reason


def event_fields(request: HttpRequest, names: list[str]) -> list[str]:
    """``names`` with the reason swapped for its guarded form for anyone but HR."""
    if can_read_conflict_reasons(request):
        return names
    return ["reason_unless_conflict" if n == "reason" else n for n in names]


class JustCultureInline(ReadOnlyInline[JustCultureAssessment, Case]):
    model = JustCultureAssessment
    verbose_name_plural = "just culture guide"


class SignOffInline(ReadOnlyInline[SignOff, Case]):
    model = SignOff
    fields = ["signed_at", "signed_by", "approved", "reason", "proposal"]
    readonly_fields = ["proposal"]

    @admin.display(description="panel decision signed off")
    def proposal(self, obj: SignOff) -> str:
        decision = obj.decision
        return f"{decision.get_outcome_display()}, decided {decision.decided_at:%d %b %Y}"


class AuditEventInline(ReadOnlyInline[AuditEvent, Case]):
    model = AuditEvent
    fields = ["at", "actor", "action", "from_stage", "to_stage", "reason"]
    readonly_fields = ["reason_unless_conflict"]
    verbose_name_plural = "path (audit events)"
    reason_unless_conflict = staticmethod(reason_unless_conflict)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return event_fields(request, [str(f) for f in self.fields or ()])


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent]):
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


@admin.register(Case)
class CaseAdmin(EthnicityShowingLoggedMixin[Case], ReadOnlyAdmin[Case]):
    list_display = [
        "reference",
        "stage",
        "outcome",
        "concern_category",
        "employee_org_unit",
        "submitted_at",
    ]
    list_filter = ["stage", "outcome", "concern_category", "employee_org_unit__parent"]
    list_select_related = ["employee_org_unit"]
    search_fields = ["reference", "employee_staff_number"]
    date_hierarchy = "submitted_at"
    inlines = [JustCultureInline, SignOffInline, AuditEventInline]
    ethnicity_field = ETHNICITY_FIELD

    def _visible_fields(self, request: HttpRequest) -> list[str]:
        return self.fields_shown(request, [f.name for f in Case._meta.fields if f.name != "id"])

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return self._visible_fields(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Declared read-only as well, so granting change permission by
        # mistake would still not open an edit form.
        return self._visible_fields(request)

    def record_ethnicity_shown(self, request: HttpRequest, obj: Case) -> None:
        personal_data_access_record(
            user=as_actor(request.user), case=obj, field=ETHNICITY_FIELD, channel="admin"
        )


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin[SignOff]):
    list_display = ["case", "approved", "signed_by", "signed_at"]
    list_filter = ["approved"]
    list_select_related = ["case", "signed_by"]
    search_fields = ["case__reference"]
    date_hierarchy = "signed_at"
