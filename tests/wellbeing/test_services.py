"""The wellbeing contact and check-ins, through the services: who may be the
contact (never the referring manager), when the next check-in is due
(working days, bank holidays skipped), what the audit log keeps (a hash,
never the notes), and nothing once the case is no longer under way."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.db import IntegrityError, InternalError, transaction

from accounts.roles import Role
from audit.models import AuditEvent
from core.errors import Conflict, NotAllowed, ValidationFailed
from wellbeing.models import CheckIn, CheckInSchedule
from wellbeing.services import checkin_record, next_due, wellbeing_contact_set
from workflow.access import WellbeingVisible
from workflow.services import case_triage
from workflow.services.contact import NOT_ELIGIBLE, NOT_EMPLOYEE, NOT_REFERRER

from ..factories import make_user
from ..policy import policy_set
from ..workflow.steps import PANEL_REASON, Story, fresh, refused

pytestmark = pytest.mark.django_db

CHRISTMAS_WEEK = dt.date(2026, 12, 29)


@pytest.fixture(autouse=True)
def _six_working_days(clock: Any) -> None:
    policy_set(wellbeing_checkin_working_days=6, bank_holiday_region="ENG")


def test_next_due_skips_weekends_and_bank_holidays() -> None:
    # Thursday 17 Dec + 6 working days: Fri 18, Mon 21 .. Thu 24, then Christmas
    # Day (Fri 25) and Boxing Day's substitute (Mon 28) are skipped.
    assert next_due(dt.date(2026, 12, 17)) == CHRISTMAS_WEEK


def test_triage_names_the_owner_by_default_and_starts_the_schedule(story: Story, cast: Any) -> None:
    case = story.informal()
    assert case.wellbeing_contact_id == cast.hr.pk
    schedule = CheckInSchedule.objects.get(case=case)
    assert (schedule.due_on, schedule.told_for) == (CHRISTMAS_WEEK, None)
    event = AuditEvent.objects.filter(case=case, action="triage").get()
    assert event.payload["wellbeing_contact"] == cast.hr.pk


def test_triage_names_a_decision_maker_as_contact(story: Story, cast: Any) -> None:
    case = story.submitted()
    case = case_triage(
        case_id=case.pk, actor=cast.hr, route="informal", wellbeing_contact=cast.director.pk
    )
    assert case.wellbeing_contact_id == cast.director.pk


def test_the_referring_manager_is_refused_as_contact(story: Story, extras: Any) -> None:
    # A referring manager who is also an HR adviser: eligible by role, refused as referrer.
    case = story.submitted(manager=extras.manager_hr)
    hr = make_user("harriet.hr", Role.HR)
    error = refused(
        ValidationFailed,
        case_triage,
        case_id=case.pk,
        actor=hr,
        route="informal",
        wellbeing_contact=extras.manager_hr.pk,
    )
    assert error.errors == {"wellbeing_contact": [NOT_REFERRER]}  # type: ignore[attr-defined]


def test_someone_without_the_hr_or_decision_maker_role_is_refused(story: Story, cast: Any) -> None:
    case = story.submitted()
    for person in (cast.other_manager, cast.panel_a, cast.governance, cast.outsider):
        error = refused(
            ValidationFailed,
            case_triage,
            case_id=case.pk,
            actor=cast.hr,
            route="informal",
            wellbeing_contact=person.pk,
        )
        assert error.errors == {"wellbeing_contact": [NOT_ELIGIBLE]}  # type: ignore[attr-defined]


def test_the_employee_cannot_be_their_own_contact(story: Story, cast: Any, employee: Any) -> None:
    login = make_user("ed.employee-hr", Role.HR)
    employee.user = login
    employee.save()
    case = story.submitted()
    error = refused(
        ValidationFailed,
        case_triage,
        case_id=case.pk,
        actor=cast.hr,
        route="informal",
        wellbeing_contact=login.pk,
    )
    assert error.errors == {"wellbeing_contact": [NOT_EMPLOYEE]}  # type: ignore[attr-defined]


def test_a_redirected_case_gets_no_contact_and_no_schedule(story: Story, cast: Any) -> None:
    case = story.submitted()
    case = case_triage(
        case_id=case.pk,
        actor=cast.hr,
        route="redirect",
        reason="A grievance, not a conduct concern.",
        policy="grievance",
    )
    assert case.wellbeing_contact_id is None
    assert not CheckInSchedule.objects.filter(case=case).exists()


def test_hr_changes_the_contact_and_the_new_one_is_told_next(story: Story, cast: Any) -> None:
    case = story.panel()
    CheckInSchedule.objects.filter(case=case).update(told_for=CHRISTMAS_WEEK)
    case = wellbeing_contact_set(case_id=case.pk, actor=cast.hr, wellbeing_contact=cast.director.pk)
    assert fresh(case).wellbeing_contact_id == cast.director.pk
    schedule = CheckInSchedule.objects.get(case=case)
    assert (schedule.due_on, schedule.told_for) == (CHRISTMAS_WEEK, None)
    event = AuditEvent.objects.filter(case=case, action="set_wellbeing_contact").get()
    assert event.payload == {"wellbeing_contact": cast.director.pk, "previous": cast.hr.pk}
    assert event.reason == ""


def test_only_hr_changes_the_contact(story: Story, cast: Any) -> None:
    case = story.informal()
    for person in (cast.manager, cast.director):
        refused(
            NotAllowed,
            wellbeing_contact_set,
            case_id=case.pk,
            actor=person,
            wellbeing_contact=cast.director.pk,
        )
    error = refused(
        ValidationFailed,
        wellbeing_contact_set,
        case_id=case.pk,
        actor=cast.hr,
        wellbeing_contact=cast.manager.pk,
    )
    assert error.errors == {"wellbeing_contact": [NOT_ELIGIBLE]}  # type: ignore[attr-defined]


def test_a_checkin_moves_the_next_due_date_and_keeps_only_a_hash(
    story: Story, cast: Any, clock: Any
) -> None:
    case = story.informal()
    clock.to(dt.date(2026, 12, 22))
    notes = "Feeling anxious about the process; referred to occupational health."
    case = checkin_record(
        case_id=case.pk, actor=cast.hr, held_on=dt.date(2026, 12, 21), how="phone", notes=notes
    )
    # Monday 21 Dec + 6 working days: Tue 22 to Thu 24, then over Christmas
    # Day and Boxing Day's substitute, Tue 29 to Thursday 31 December.
    assert CheckInSchedule.objects.get(case=case).due_on == dt.date(2026, 12, 31)
    checkin = CheckIn.objects.get(case=case)
    assert (checkin.by, checkin.notes, checkin.declined) == (cast.hr, notes, False)
    event = AuditEvent.objects.filter(case=case, action="record_checkin").get()
    assert event.payload == {
        "checkin": checkin.pk,
        "held_on": "2026-12-21",
        "how": "phone",
        "declined": False,
        "notes_sha256": hashlib.sha256(notes.encode()).hexdigest(),
    }
    assert "anxious" not in str(event.payload)
    assert event.reason == ""


def test_an_older_checkin_recorded_late_does_not_move_the_date_back(
    story: Story, cast: Any, clock: Any
) -> None:
    case = story.informal()
    clock.to(dt.date(2026, 12, 23))
    checkin_record(case_id=case.pk, actor=cast.hr, held_on=dt.date(2026, 12, 22), how="video")
    checkin_record(case_id=case.pk, actor=cast.hr, held_on=dt.date(2026, 12, 18), how="email")
    assert CheckInSchedule.objects.get(case=case).due_on == next_due(dt.date(2026, 12, 22))


def test_the_named_contact_records_a_checkin_the_employee_declined(story: Story, cast: Any) -> None:
    case = story.submitted()
    case_triage(
        case_id=case.pk, actor=cast.hr, route="informal", wellbeing_contact=cast.director.pk
    )
    checkin_record(
        case_id=case.pk,
        actor=cast.director,
        held_on=dt.date(2026, 12, 17),
        how="phone",
        declined=True,
    )
    assert CheckIn.objects.get(case=case).declined is True


def test_nobody_else_records_a_checkin(story: Story, cast: Any) -> None:
    case = story.convened()
    for person in (cast.manager, cast.panel_a, cast.director):
        refused(
            NotAllowed,
            checkin_record,
            case_id=case.pk,
            actor=person,
            held_on=dt.date(2026, 12, 17),
            how="phone",
        )


def test_bad_input_names_each_field(story: Story, cast: Any) -> None:
    case = story.informal()
    error = refused(
        ValidationFailed,
        checkin_record,
        case_id=case.pk,
        actor=cast.hr,
        held_on=dt.date(2026, 12, 18),
        how="carrier pigeon",
        notes="x" * 5000,
    )
    assert set(error.errors) == {"held_on", "how", "notes"}  # type: ignore[attr-defined]
    error = refused(
        ValidationFailed, checkin_record, case_id=case.pk, actor=cast.hr, held_on=None, how="phone"
    )
    assert set(error.errors) == {"held_on"}  # type: ignore[attr-defined]


def test_a_closed_case_takes_no_checkin_and_loses_its_schedule(story: Story, cast: Any) -> None:
    case = story.closed()
    assert not CheckInSchedule.objects.filter(case=case).exists()
    refused(
        Conflict,
        checkin_record,
        case_id=case.pk,
        actor=cast.hr,
        held_on=dt.date(2026, 12, 17),
        how="phone",
    )


def test_a_checkin_is_never_edited_or_deleted(story: Story, cast: Any) -> None:
    case = story.informal()
    checkin_record(case_id=case.pk, actor=cast.hr, held_on=dt.date(2026, 12, 17), how="phone")
    checkin = CheckIn.objects.get(case=case)
    for attempt in (
        lambda: CheckIn.objects.filter(pk=checkin.pk).update(notes="changed"),
        lambda: CheckIn.objects.filter(pk=checkin.pk).delete(),
    ):
        with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
            attempt()


def test_the_card_rule_is_hr_and_the_contact(story: Story, cast: Any) -> None:
    case = story.submitted()
    case = case_triage(
        case_id=case.pk,
        actor=cast.hr,
        route="panel",
        reason=PANEL_REASON,
        wellbeing_contact=cast.director.pk,
    )
    other_director = make_user("dora.director", Role.DECISION_MAKER)
    seen = {
        p.username: WellbeingVisible.allows(p, case)
        for p in (cast.hr, cast.director, other_director, cast.manager, cast.panel_a)
    }
    assert seen == {
        "hana.hr": True,
        "dina.director": True,
        "dora.director": False,
        "maya.manager": False,
        "priya.panel": False,
    }
