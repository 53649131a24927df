"""The case admin shows cases and changes nothing; ethnicity only to those allowed."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditEvent, EventType
from panels.models import Panel, PanelDecision
from staff.ethnicity import EthnicCategory
from workflow.models import Case, SignOff, Stage
from workflow.services import referral_submit

from ..factories import make_user, referral_kwargs

ETHNIC_LABEL = EthnicCategory.N.label  # the factory employee's category


def staff_user(username: str, *roles: Role, perms: tuple[str, ...] = ()) -> Any:
    # A role in the trust, so the admin acts for it; a manager's carries no
    # permission on cases, so the admin's are the ones given here.
    user = make_user(username, *(roles or (Role.MANAGER,)))
    user.is_staff = True
    user.save()
    for codename in ("view_case", *perms):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.fixture
def case(cast: Any, employee: Any) -> Case:
    assert employee.ethnic_category == EthnicCategory.N
    return referral_submit(actor=cast.manager, **referral_kwargs(employee))


def page(user: Any, url: str) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(url)


def change_url(case: Case) -> str:
    return reverse("admin:workflow_case_change", args=[case.pk])


def test_staff_without_the_permission_do_not_see_the_ethnic_category(case: Case) -> None:
    clerk = staff_user("cal.clerk")
    response = page(clerk, change_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.reference in html
    assert "ethnic" not in html.lower()
    assert ETHNIC_LABEL not in html
    listing = page(clerk, reverse("admin:workflow_case_changelist")).content.decode()
    assert case.reference in listing
    assert ETHNIC_LABEL not in listing
    assert not AuditEvent.objects.filter(action=EventType.VIEW_SPECIAL_CATEGORY).exists()


def test_staff_with_the_permission_see_it_and_the_showing_is_recorded(case: Case) -> None:
    adviser = staff_user("hal.hr", Role.HR)  # HR carries workflow.view_ethnicity
    response = page(adviser, change_url(case))
    assert response.status_code == 200
    assert ETHNIC_LABEL in response.content.decode()
    access = AuditEvent.objects.get(action=EventType.VIEW_SPECIAL_CATEGORY)
    assert (access.actor, access.case, access.payload["channel"]) == (adviser, case, "admin")


@pytest.mark.parametrize(
    "lookup",
    ["employee_ethnic_category", "employee_ethnic_category__in", "employee__ethnic_category"],
)
def test_the_case_list_cannot_be_filtered_by_ethnicity(
    case: Case, admin_user: Any, lookup: str
) -> None:
    # The list never shows the category, but a filter in the address would
    # tell anyone who may open the list which cases are of which category.
    clerk = staff_user("cal.clerk")
    for user in (clerk, admin_user):
        response = page(user, reverse("admin:workflow_case_changelist") + f"?{lookup}=N")
        assert response.status_code == 400
        assert case.reference not in response.content.decode()


@pytest.mark.parametrize(
    ("model", "lookup"),
    [
        (AuditEvent, "case__employee_ethnic_category"),
        (SignOff, "case__employee_ethnic_category"),
        (Panel, "case__employee_ethnic_category"),
        (PanelDecision, "case__employee__ethnic_category"),
    ],
)
def test_no_list_of_case_records_can_be_filtered_by_ethnicity(
    case: Case, admin_user: Any, model: Any, lookup: str
) -> None:
    opts = model._meta
    listing = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert page(admin_user, f"{listing}?{lookup}=N").status_code == 400


def test_the_case_list_shows_no_ethnicity_even_to_a_superuser(case: Case, admin_user: Any) -> None:
    listing = page(admin_user, reverse("admin:workflow_case_changelist")).content.decode()
    assert case.reference in listing
    assert ETHNIC_LABEL not in listing
    assert "ethnic" not in listing.lower()
    assert not AuditEvent.objects.filter(action=EventType.VIEW_SPECIAL_CATEGORY).exists()


CONFLICT = "I coached the employee for years."


@pytest.fixture
def conflicted(cast: Any, employee: Any) -> Case:
    """A case at the panel where a member declared a conflict, with its reason."""
    from panels.services import panel_declare

    from .steps import Story

    case = Story(cast, employee).just_convened()
    return panel_declare(case_id=case.pk, actor=cast.panel_c, no_conflict=False, reason=CONFLICT)


def conflict_pages(case: Case) -> list[str]:
    declare = AuditEvent.objects.get(case=case, action="declare")
    declaration = case.panels.get().memberships.get(declaration__no_conflict=False).declaration
    return [
        change_url(case),
        reverse("admin:audit_auditevent_change", args=[declare.pk]),
        reverse("admin:panels_declaration_change", args=[declaration.pk]),
    ]


def test_a_superuser_does_not_read_a_conflict_s_reason_in_the_admin(
    conflicted: Case, admin_user: Any
) -> None:
    for url in conflict_pages(conflicted):
        response = page(admin_user, url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert CONFLICT not in html, url
        assert "shown to HR advisers only" in html, url


def test_an_hr_adviser_in_the_admin_reads_a_conflict_s_reason(conflicted: Case) -> None:
    adviser = staff_user("hal.hr", Role.HR, perms=("view_auditevent", "view_declaration"))
    for url in conflict_pages(conflicted):
        assert CONFLICT in page(adviser, url).content.decode(), url


def test_the_case_admin_cannot_add_or_delete(case: Case, admin_user: Any) -> None:
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = admin.site._registry[Case]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request, case)
    assert "delete_selected" not in model_admin.get_actions(request)
    assert page(admin_user, reverse("admin:workflow_case_add")).status_code == 403
    delete_url = reverse("admin:workflow_case_delete", args=[case.pk])
    assert page(admin_user, delete_url).status_code == 403


def test_the_case_admin_refuses_a_change_post_of_stage(case: Case, admin_user: Any) -> None:
    client = Client()
    client.force_login(admin_user)
    response = client.post(change_url(case), {"stage": Stage.FORMAL, "outcome": "withdrawn"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert (case.stage, case.outcome, case.version) == (Stage.SUBMITTED, "", 1)


@pytest.mark.parametrize("model", [SignOff, Panel, PanelDecision, AuditEvent])
def test_panels_decisions_signoffs_and_audit_are_read_only(model: Any, admin_user: Any) -> None:
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    opts = model._meta
    listing = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert page(admin_user, listing).status_code == 200
