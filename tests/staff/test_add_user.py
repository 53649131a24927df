from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.roles import Role, has_role, user_roles

pytestmark = pytest.mark.django_db


def test_add_user_onboards_with_a_role_and_password():
    call_command("add_user", "nadia", "--role", "hr", "--password", "Str0ng-enough-pass")
    user = get_user_model().objects.get(username="nadia")
    assert user.check_password("Str0ng-enough-pass")
    assert user_roles(user) == {Role.HR}


def test_add_user_adds_a_second_role_to_an_existing_user():
    call_command("add_user", "sam", "--role", "manager")
    call_command("add_user", "sam", "--role", "decision_maker")
    user = get_user_model().objects.get(username="sam")
    assert user_roles(user) == {Role.MANAGER, Role.DECISION_MAKER}
    assert not user.has_usable_password()  # no password given: cannot log in yet


def test_add_user_rejects_a_weak_password_and_writes_nothing():
    with pytest.raises(CommandError, match=r"too common|too short"):
        call_command("add_user", "weak", "--role", "panel", "--password", "password")
    assert not get_user_model().objects.filter(username="weak").exists()


def test_add_user_rejects_an_unknown_role():
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("add_user", "x", "--role", "overlord")


def test_groups_exist_with_their_permissions():
    call_command("add_user", "dee", "--role", "decision_maker", "--password", "Str0ng-enough-pass")
    user = get_user_model().objects.get(username="dee")
    assert user.has_perm("workflow.sign_off")
    assert user.has_perm("workflow.view_ethnicity")
    assert not user.has_perm("workflow.triage_case")
    assert has_role(user, Role.DECISION_MAKER)


def test_add_user_links_a_panel_member_to_their_employee_record_and_the_pool():
    from panels.models import PoolMember
    from staff.models import Employee

    from ..factories import EmployeeFactory

    EmployeeFactory.create(staff_number="E42")
    out = io.StringIO()
    call_command("add_user", "pia", "--role", "panel", "--staff-number", "E42", stdout=out)

    user = get_user_model().objects.get(username="pia")
    assert Employee.objects.get(staff_number="E42").user == user
    assert PoolMember.objects.filter(user=user).exists()
    assert "pia is linked to employee E42." in out.getvalue()


def test_add_user_refuses_an_unknown_or_taken_staff_number_and_writes_nothing():
    from staff.models import Employee

    from ..factories import EmployeeFactory

    EmployeeFactory.create(staff_number="E42")
    call_command("add_user", "pia", "--role", "panel", "--staff-number", "E42")
    with pytest.raises(CommandError, match="No employee has staff number E99"):
        call_command("add_user", "quin", "--role", "panel", "--staff-number", "E99")
    with pytest.raises(CommandError, match="already linked to another login"):
        call_command("add_user", "quin", "--role", "panel", "--staff-number", "E42")
    assert not get_user_model().objects.filter(username="quin").exists()
    assert Employee.objects.filter(staff_number="E42", user__username="pia").exists()
