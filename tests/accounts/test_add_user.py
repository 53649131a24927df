from __future__ import annotations

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
