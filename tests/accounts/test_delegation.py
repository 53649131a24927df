"""Out-of-office delegations: who may set one, and what a delegate may see
and do while it runs (and not after). Every action a delegate takes is
recorded as theirs, for the person they cover, and reads "by X for Y"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.delegation import delegate_of, delegated_to, delegators_of, forget_delegations
from accounts.models import Delegation
from accounts.roles import Role
from audit.models import AuditEvent
from core.errors import NotAllowed, NotFound, ValidationFailed
from panels.services import panel_declare
from workflow import access
from workflow.models import Case
from workflow.selectors import case_get_for, case_list_for, inbox_for
from workflow.services import case_record_informal_outcome, referral_withdraw
from workflow.services.delegation import delegation_end, delegation_set

from ..factories import make_user
from ..workflow.steps import INFORMAL_ACTIONS, Story, fresh, refused

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False) as t:
        yield t


@pytest.fixture
def story(cast: Any, employee: Any) -> Story:
    return Story(cast, employee)


@pytest.fixture
def cover(cast: Any) -> Any:
    """Another referring manager, who covers Maya while she is away."""
    return make_user("colin.cover", Role.MANAGER)


def away(person: Any, delegate: Any, days: int = 5, start: dt.date = TODAY) -> Delegation:
    made = delegation_set(
        actor=person,
        person_id=person.pk,
        delegate_id=delegate.pk,
        starts_on=start,
        ends_on=start + dt.timedelta(days=days - 1),
        reason="Annual leave.",
    )
    forget_delegations(delegate)
    return made


def test_a_delegate_sees_and_acts_on_the_persons_case_recorded_by_x_for_y(
    story: Story, cast: Any, cover: Any
) -> None:
    case = story.informal()
    assert not access.CaseVisible.allows(cover, case)
    away(cast.manager, cover)
    assert delegated_to(cover) == {cast.manager.pk: frozenset({Role.MANAGER})}
    assert access.CaseVisible.allows(cover, case)
    assert access.DetailsVisible.allows(cover, case)
    assert case_list_for(cover).filter(pk=case.pk).exists()
    assert [t.process.case.pk for t in inbox_for(cover)] == [case.pk]
    case_record_informal_outcome(
        case_id=case.pk, actor=cover, resolved=True, actions=INFORMAL_ACTIONS
    )
    event = AuditEvent.objects.get(case=case, action="record_informal_outcome")
    assert event.actor == cover
    assert event.payload["on_behalf_of"] == cast.manager.pk
    # The case page's path reads "by X for Y", to whoever may read it.
    client = Client()
    client.force_login(cast.hr)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "for maya.manager" in page or "for Maya" in page


def test_acting_for_oneself_needs_no_delegation_lookup(
    story: Story, cast: Any, django_assert_max_num_queries: Any
) -> None:
    case = story.informal()
    events_before = AuditEvent.objects.count()
    case_record_informal_outcome(
        case_id=case.pk, actor=cast.manager, resolved=True, actions=INFORMAL_ACTIONS
    )
    event = AuditEvent.objects.filter(case=case).order_by("-id").first()
    assert AuditEvent.objects.count() == events_before + 1
    assert event is not None
    assert "on_behalf_of" not in event.payload
    assert not hasattr(cast.manager, "_ftp_delegators")


def test_a_delegation_that_has_ended_gives_nothing(
    story: Story, cast: Any, cover: Any, clock: Any
) -> None:
    case = story.informal()
    made = away(cast.manager, cover, days=2)
    assert access.CaseVisible.allows(cover, case)
    clock.move_to(dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC))
    forget_delegations(cover)
    assert not access.CaseVisible.allows(cover, case)
    refused(
        NotFound,
        referral_withdraw,
        case_id=case.pk,
        actor=cover,
        reason="Not needed.",
    )
    # Ended early: the same.
    clock.move_to(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC))
    delegation_end(actor=cast.manager, delegation_id=made.pk)
    forget_delegations(cover)
    assert not access.CaseVisible.allows(cover, case)
    assert AuditEvent.objects.filter(action="delegation_ended").count() == 1


def test_no_chains(story: Story, cast: Any, cover: Any) -> None:
    third = make_user("tess.third", Role.MANAGER)
    case = story.informal()
    away(cast.manager, cover)
    away(cover, third)
    forget_delegations(third)
    assert delegators_of(third) == [cover.pk]
    assert not access.CaseVisible.allows(third, case)
    assert not Case.objects.filter(access.CaseVisible.q(third)).filter(pk=case.pk).exists()


def test_personal_panel_actions_are_refused_to_a_delegate(story: Story, cast: Any) -> None:
    stand_in = make_user("sam.standin", Role.PANEL)
    case = story.just_convened()
    away(cast.panel_a, stand_in)
    # The delegate sees the case as the member does (before declaring: no details)...
    assert access.CaseVisible.allows(stand_in, case)
    assert not access.DetailsVisible.allows(stand_in, fresh(case))
    # ...but the declaration is the member's own.
    error = refused(NotAllowed, panel_declare, case_id=case.pk, actor=stand_in, no_conflict=True)
    assert "personal" in error.message
    assert not case_get_for(stand_in, case.pk).actions


def test_setting_a_delegation_is_checked(cast: Any, cover: Any) -> None:
    def attempt(**kw: Any) -> set[str]:
        args = {
            "actor": cast.manager,
            "person_id": cast.manager.pk,
            "delegate_id": cover.pk,
            "starts_on": TODAY,
            "ends_on": TODAY + dt.timedelta(days=3),
            **kw,
        }
        with pytest.raises(ValidationFailed) as info:
            delegation_set(**args)
        return set(info.value.errors)

    assert attempt(delegate_id=cast.manager.pk) == {"delegate"}
    # HR cannot cover a manager's work: they hold no manager role.
    assert attempt(delegate_id=cast.hr.pk) == {"delegate"}
    assert attempt(ends_on=TODAY - dt.timedelta(days=1)) == {"ends_on"}
    away(cast.manager, cover)
    assert attempt(starts_on=TODAY + dt.timedelta(days=2)) == {"starts_on"}
    # Someone else's: only an HR lead.
    with pytest.raises(NotAllowed):
        delegation_set(
            actor=cast.hr,
            person_id=cast.other_manager.pk,
            delegate_id=cover.pk,
            starts_on=TODAY,
            ends_on=TODAY,
        )
    lead = make_user("lena.lead", Role.HR, Role.HR_LEAD)
    made = delegation_set(
        actor=lead,
        person_id=cast.other_manager.pk,
        delegate_id=cover.pk,
        starts_on=TODAY,
        ends_on=TODAY,
        reason="Sudden absence.",
    )
    event = AuditEvent.objects.filter(action="delegation_set").order_by("-id").first()
    assert event is not None
    assert event.actor == lead
    assert event.payload["person"] == cast.other_manager.pk
    assert event.payload["delegate"] == cover.pk
    assert delegate_of(cast.other_manager.pk) == cover
    assert made.created_at <= timezone.now()
