"""A user given the panel role with a staff number joins the panel pool.

``staff.services.user_add`` announces the role it gave
(``staff.events.RoleGiven``); the panels app, above staff, reacts
(``panels.receivers``).
"""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.roles import Role
from core import events
from panels.models import PoolMember
from panels.receivers import pool_join_on_panel_role
from staff.events import RoleGiven
from staff.services import user_add

from ..factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_a_panel_member_with_a_staff_number_joins_the_pool() -> None:
    EmployeeFactory.create(staff_number="E42")
    user = user_add(username="pia", role=Role.PANEL, staff_number=" E42 ", validate=False)
    assert PoolMember.objects.filter(user_id=user.pk).exists()
    user_add(username="pia", role=Role.PANEL, staff_number="E42", validate=False)
    assert PoolMember.objects.filter(user_id=user.pk).count() == 1


def test_without_a_staff_number_or_the_panel_role_nobody_joins() -> None:
    EmployeeFactory.create(staff_number="E43")
    panel = user_add(username="no-number", role=Role.PANEL, validate=False)
    hr = user_add(username="hr-number", role=Role.HR, staff_number="E43", validate=False)
    assert not PoolMember.objects.filter(user_id__in=[panel.pk, hr.pk]).exists()


def test_user_add_announces_the_role_it_gave_in_its_transaction() -> None:
    heard: list[tuple[RoleGiven, int]] = []

    def listen(event: RoleGiven) -> None:
        heard.append((event, len(connection.savepoint_ids)))

    EmployeeFactory.create(staff_number="E44")
    events.subscribe(RoleGiven, listen)
    try:
        user = user_add(username="hal", role=Role.HR, staff_number="E44", validate=False)
    finally:
        events.unsubscribe(RoleGiven, listen)
    [(said, savepoints)] = heard
    assert said == RoleGiven(user=user, role=Role.HR, staff_number="E44")
    assert savepoints > len(connection.savepoint_ids)  # inside user_add's atomic


def test_the_pool_join_is_a_subscriber_of_role_given() -> None:
    assert pool_join_on_panel_role in events.subscribers(RoleGiven)
