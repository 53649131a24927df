"""The named HR case owner: set at triage, changed by an HR lead, one case or
a leaver's all, each change audited naming both people."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.roles import Role
from audit.models import AuditEvent
from core.errors import NotAllowed, ValidationFailed
from workflow.models import Case
from workflow.services import case_triage
from workflow.services.owner import OWNER_REASSIGNED, owner_reassign, owner_reassign_all

from ..factories import make_user
from .steps import Story, fresh, invalid, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(cast: Any) -> Any:
    return make_user("lena.lead", Role.HR, Role.HR_LEAD)


@pytest.fixture
def leaver(cast: Any) -> Any:
    return make_user("lee.leaver", Role.HR)


def test_triage_makes_the_adviser_who_triages_the_owner(story: Story, cast: Any) -> None:
    case = story.informal()
    assert fresh(case).owner == cast.hr
    event = AuditEvent.objects.get(case=case, action="triage")
    assert event.payload["owner"] == cast.hr.pk


def test_triage_may_name_another_adviser_but_not_the_referrer_or_a_manager(
    story: Story, cast: Any, leaver: Any
) -> None:
    case = story.submitted()
    assert invalid(
        case_triage, case_id=case.pk, actor=cast.hr, route="informal", owner=cast.manager.pk
    ) == {"owner"}
    case_triage(case_id=case.pk, actor=cast.hr, route="informal", owner=leaver.pk)
    assert fresh(case).owner == leaver


def test_a_hr_adviser_who_referred_a_case_cannot_own_it(story: Story, cast: Any) -> None:
    both = make_user("hal.both", Role.MANAGER, Role.HR)
    case = story.submitted(manager=both)
    assert invalid(
        case_triage, case_id=case.pk, actor=cast.hr, route="informal", owner=both.pk
    ) == {"owner"}


def test_a_lead_reassigns_one_case_with_an_event_naming_both(
    story: Story, cast: Any, lead: Any, leaver: Any
) -> None:
    case = story.informal()
    owner_reassign(case_id=case.pk, actor=lead, new_owner=leaver.pk, reason="Caseload.")
    assert fresh(case).owner == leaver
    event = AuditEvent.objects.get(case=case, action=OWNER_REASSIGNED)
    assert event.actor == lead
    assert event.payload == {"from": cast.hr.pk, "to": leaver.pk}
    assert event.reason == "Caseload."


def test_only_a_lead_reassigns(story: Story, cast: Any, leaver: Any) -> None:
    case = story.informal()
    for who in (cast.hr, cast.manager, cast.director):
        refused(
            NotAllowed, owner_reassign, case_id=case.pk, actor=who, new_owner=leaver.pk, reason="x"
        )
        refused(
            NotAllowed,
            owner_reassign_all,
            actor=who,
            from_user=cast.hr.pk,
            to_user=leaver.pk,
            reason="x",
        )
    assert fresh(case).owner == cast.hr
    assert not AuditEvent.objects.filter(action=OWNER_REASSIGNED).exists()


def test_a_new_owner_must_be_hr_and_not_the_referrer(story: Story, cast: Any, lead: Any) -> None:
    case = story.informal()
    for bad in (cast.manager, cast.panel_a, cast.outsider):
        with pytest.raises(ValidationFailed):
            owner_reassign(case_id=case.pk, actor=lead, new_owner=bad.pk, reason="x")
    with pytest.raises(ValidationFailed):
        owner_reassign(case_id=case.pk, actor=lead, new_owner=cast.hr.pk, reason="")


def test_a_leavers_open_cases_move_and_closed_ones_stay(
    story: Story, cast: Any, lead: Any, leaver: Any, monkeypatch: Any
) -> None:
    # Small batches, so the handover crosses batch boundaries.
    monkeypatch.setattr("workflow.services.owner.BATCH", 2)
    open_cases = [story.informal() for _ in range(3)] + [story.panel()]
    closed = story.closed()
    handover = owner_reassign_all(
        actor=lead, from_user=cast.hr.pk, to_user=leaver.pk, reason="Left the trust."
    )
    assert handover.moved == 4
    assert handover.kept == []
    assert {c.pk for c in Case.objects.filter(owner=leaver)} == {c.pk for c in open_cases}
    assert fresh(closed).owner == cast.hr
    events = AuditEvent.objects.filter(action=OWNER_REASSIGNED)
    assert sorted(e.case_id or 0 for e in events) == sorted(c.pk for c in open_cases)
    assert all(e.payload == {"from": cast.hr.pk, "to": leaver.pk} for e in events)
    assert all(e.actor == lead and e.reason == "Left the trust." for e in events)


def test_a_case_the_new_owner_referred_stays_with_the_leaver(
    story: Story, cast: Any, lead: Any
) -> None:
    both = make_user("hal.both", Role.MANAGER, Role.HR)
    theirs = story.informal(manager=both)
    other = story.informal()
    handover = owner_reassign_all(actor=lead, from_user=cast.hr.pk, to_user=both.pk, reason="Left.")
    assert handover.moved == 1
    assert handover.kept == [theirs.reference]
    assert fresh(theirs).owner == cast.hr
    assert fresh(other).owner == both
