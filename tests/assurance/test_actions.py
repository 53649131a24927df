"""Action plans: linked to an ICSU, an indicator and/or a current
early-warning alert, owned by a login of the trust; HR manages them,
readers see every one (a manager's alert hidden from governance), anyone
else only their own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assurance.models import Action, ActionStatus
from assurance.plans import action_add, action_change, current_alerts
from assurance.selectors import (
    ActionFilters,
    actions_page,
    alert_text,
    is_overdue,
    overdue_q,
)
from audit.models import AuditEvent
from core.errors import NotAllowed, ValidationFailed
from core.paging import Cursor
from reports.models import Headcount, ReferralHistory

from ..factories import EmployeeFactory, make_user
from .conftest import action_fields, add_action, add_question


def alerted_department(icsus) -> str:
    """Five recent referrals of BME staff in the Acute Medical Unit, whose
    workforce is 10% BME: P(X >= 5) = 0.00001, an alert."""
    med = icsus["med"]
    amu = med.children.get(code="DEP-AMU")
    today = timezone.localdate()
    Headcount.objects.create(
        as_at=today - dt.timedelta(days=30), org_unit=amu, ethnic_category="A", headcount=90
    )
    Headcount.objects.create(
        as_at=today - dt.timedelta(days=30), org_unit=amu, ethnic_category="M", headcount=10
    )
    manager = EmployeeFactory.create(org_unit=amu, ethnic_category="A", staff_number="MGR001")
    for n in range(5):
        employee = EmployeeFactory.create(org_unit=amu, ethnic_category="M")
        ReferralHistory.objects.create(
            referred_on=today - dt.timedelta(days=10 + n),
            manager=manager,
            employee=employee,
            entered_formal=False,
            org_unit=amu,
            ethnic_category="M",
            imported_at=timezone.now(),
        )
    return str(amu.code)


def test_an_action_needs_a_link_an_owner_and_a_committee(cast, icsus):
    with pytest.raises(ValidationFailed) as exc:
        add_action(cast, indicator="", owner_id=cast.outsider.pk, committee="The Pub")
    assert set(exc.value.errors) == {"__all__", "owner", "committee"}
    assert Action.objects.count() == 0


def test_a_question_indicator_names_its_question(cast, icsus):
    with pytest.raises(ValidationFailed) as exc:
        add_action(cast, indicator="question")
    assert "question" in exc.value.errors
    question = add_question(cast)
    action = add_action(cast, indicator="question", question_id=question.pk)
    assert action.question == question
    # Another indicator drops the question.
    changed = action_change(
        actor=cast.hr, action_id=action.pk, data=action_fields(cast, question_id=question.pk)
    )
    assert changed.question is None


def test_an_alert_must_be_in_todays_early_warning(cast, icsus):
    code = alerted_department(icsus)
    assert ("department", code, "alert") in current_alerts()
    with pytest.raises(ValidationFailed) as exc:
        add_action(cast, indicator="", alert_level="department", alert_key="DEP-THE")
    assert exc.value.errors == {
        "alert_key": ["This is not in alert or warning in today's early warning."]
    }
    with pytest.raises(ValidationFailed):
        add_action(cast, indicator="", alert_level="department", alert_key="")
    action = add_action(cast, indicator="", alert_level="department", alert_key=code)
    assert (action.alert_level, action.alert_key) == ("department", code)
    # Once the alert clears, the action keeps it and can still be changed.
    ReferralHistory.objects.all().delete()
    assert current_alerts() == []
    changed = action_change(
        actor=cast.hr,
        action_id=action.pk,
        data=action_fields(
            cast, indicator="", alert_level="department", alert_key=code, status="in_progress"
        ),
    )
    assert changed.status == "in_progress"


def test_a_managers_alert_is_shown_to_hr_only(cast, icsus):
    alerted_department(icsus)
    action = add_action(cast, alert_level="manager", alert_key="MGR001")
    assert alert_text(action, cast.hr) == "Early warning: Referring manager MGR001"
    assert alert_text(action, cast.governance) == "Early warning: a referring manager"
    assert alert_text(action, cast.director) == "Early warning: a referring manager"
    assert alert_text(action, None) == "Early warning: a referring manager"


def test_only_hr_adds_or_changes_actions(cast, icsus):
    action = add_action(cast)
    for person in (cast.director, cast.governance, cast.manager):
        with pytest.raises(NotAllowed):
            action_add(actor=person, data=action_fields(cast))
        with pytest.raises(NotAllowed):
            action_change(actor=person, action_id=action.pk, data=action_fields(cast))


def test_changes_are_audited_and_no_change_records_nothing(cast, icsus):
    action = add_action(cast)
    action_change(actor=cast.hr, action_id=action.pk, data=action_fields(cast))
    action_change(
        actor=cast.hr,
        action_id=action.pk,
        data=action_fields(cast, status="done", we_did="Twelve investigators trained."),
    )
    events = list(AuditEvent.objects.filter(action__startswith="assurance_action").order_by("id"))
    assert [e.action for e in events] == ["assurance_action_added", "assurance_action_changed"]
    assert events[1].payload["changed"] == ["status", "we_did"]


def test_the_list_filters_and_pages(cast, icsus, time_machine):
    time_machine.move_to("2026-01-15 12:00")
    med, sur = icsus["med"], icsus["sur"]
    late = add_action(cast, org_unit_id=med.pk, due_on=dt.date(2026, 1, 1))
    done = add_action(cast, org_unit_id=med.pk, due_on=dt.date(2026, 1, 2), status="done")
    board = add_action(
        cast, org_unit_id=sur.pk, due_on=dt.date(2026, 2, 1), committee="Trust Board"
    )

    def listed(size: int = 50, cursor=None, **filters) -> list[int]:
        page = actions_page(
            user=cast.governance, filters=ActionFilters(**filters), cursor=cursor, size=size
        )
        return [a.pk for a in page]

    assert listed() == [late.pk, done.pk, board.pk]
    assert listed(overdue=True) == [late.pk]
    assert listed(status="done") == [done.pk]
    assert listed(org_unit_id=sur.pk) == [board.pk]
    assert listed(committee="Trust Board") == [board.pk]
    assert [is_overdue(a) for a in (late, done, board)] == [True, False, False]
    first = actions_page(user=cast.hr, filters=ActionFilters(), cursor=None, size=2)
    assert [a.pk for a in first] == [late.pk, done.pk]
    assert first.older is not None
    second = actions_page(
        user=cast.hr, filters=ActionFilters(), cursor=Cursor.decode(first.older), size=2
    )
    assert [a.pk for a in second] == [board.pk]


def test_other_people_see_only_the_actions_they_own(cast, icsus):
    mine = add_action(cast, owner_id=cast.manager.pk)
    add_action(cast, owner_id=cast.director.pk)
    page = actions_page(user=cast.manager, filters=ActionFilters(), cursor=None, size=50)
    assert [a.pk for a in page] == [mine.pk]
    nobody = make_user("nora.nobody")
    assert list(actions_page(user=nobody, filters=ActionFilters(), cursor=None, size=50)) == []


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.integers(min_value=-3, max_value=3), st.sampled_from(ActionStatus.values)),
        min_size=1,
        max_size=6,
    )
)
def test_the_overdue_rule_is_the_same_in_python_and_in_the_query(cast, icsus, plans):
    """``is_overdue`` (the list's mark) and ``overdue_q`` (its filter and the
    reminders) agree for any due dates and statuses around today."""
    today = timezone.localdate()
    Action.objects.all().delete()
    actions = [
        add_action(cast, due_on=today + dt.timedelta(days=days), status=status)
        for days, status in plans
    ]
    by_query = set(Action.objects.filter(overdue_q(today)).values_list("pk", flat=True))
    assert by_query == {a.pk for a in actions if is_overdue(a, today)}
