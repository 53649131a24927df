"""The formal process through its services, from the sign-off to its conclusion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.working_days import add_working_days
from formal import services
from formal.models import FormalProcess
from notifications.models import Kind, Notification, ScheduledNotice
from notifications.services.deadlines import deadline_notices_fire
from tenancy.policy import trust_policy
from workflow.models import Case, CaseStep, Stage
from workflow.rules import Action

from ..workflow.steps import Story, fresh
from .conftest import Staff
from .steps import GROUNDS, hear, heard, to_hearing, with_investigator

pytestmark = pytest.mark.django_db


def _open_spells(case: Case) -> list[CaseStep]:
    return list(CaseStep.objects.filter(case=case, left_at__isnull=True))


def test_the_sign_off_opens_the_process_with_an_investigation_due_in_forty_working_days(
    formal_case: Case,
) -> None:
    process = FormalProcess.objects.get(case=formal_case)
    [spell] = _open_spells(formal_case)
    assert (spell.step, spell.stage) == ("investigate", Stage.FORMAL)
    region = trust_policy().bank_holiday_region
    assert spell.due_on == add_working_days(timezone.localdate(spell.entered_at), 40, region)
    assert process.opened_at == formal_case.formal_commissioned_at
    # The investigate step's reminder and escalations are set like any step's.
    kinds = set(ScheduledNotice.objects.filter(step=spell).values_list("kind", flat=True))
    assert kinds == {Kind.REMINDER, Kind.OVERDUE_HR, Kind.OVERDUE_DECISION_MAKER}


def test_the_whole_path_to_a_concluded_appeal(
    formal_case: Case, story: Story, staff: Staff
) -> None:
    hr = story.cast.hr
    commissioned = formal_case.formal_commissioned_at
    case = to_hearing(formal_case, hr, staff.investigator)
    assert [s.step for s in _open_spells(case)] == ["hearing"]
    case = services.formal_hearing_schedule(
        case_id=case.pk,
        actor=hr,
        hearing_on=timezone.now() + dt.timedelta(days=3),
        chair=staff.chair.pk,
        accompaniment_told=True,
    )
    case = services.formal_hearing_outcome_record(
        case_id=case.pk,
        actor=hr,
        held_on=timezone.localdate(),
        sanction="final_written",
        detail="Twelve months.",
        companion_name="A. Colleague",
    )
    assert _open_spells(case) == []  # waiting for an appeal or the conclusion
    case = services.formal_appeal_lodge(
        case_id=case.pk,
        actor=hr,
        lodged_on=timezone.localdate(),
        grounds=GROUNDS,
        hearer=staff.hearer.pk,
    )
    assert [s.step for s in _open_spells(case)] == ["appeal"]
    case = services.formal_appeal_outcome_record(case_id=case.pk, actor=hr, outcome="varied")
    case = fresh(case)
    process = FormalProcess.objects.get(case=case)
    assert process.concluded_at is not None
    assert case.formal_concluded_at == process.concluded_at
    assert case.stage == Stage.FORMAL
    assert not case.under_way
    assert case.formal_commissioned_at == commissioned  # WRES's date never moves
    assert _open_spells(case) == []
    assert not ScheduledNotice.objects.filter(step__case=case).exists()
    steps = list(
        CaseStep.objects.filter(case=case, stage=Stage.FORMAL).values_list("step", flat=True)
    )
    assert steps == ["investigate", "hearing", "appeal"]
    actions = list(
        AuditEvent.objects.filter(case=case, to_stage=Stage.FORMAL, from_stage=Stage.FORMAL)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == [
        Action.NAME_INVESTIGATOR,
        Action.RECORD_INVESTIGATION_OUTCOME,
        Action.SCHEDULE_HEARING,
        Action.RECORD_HEARING_OUTCOME,
        Action.LODGE_APPEAL,
        Action.RECORD_APPEAL_OUTCOME,
    ]
    # No free text reaches the audit log: ids, choices and hashes.
    lodged = AuditEvent.objects.get(case=case, action=Action.LODGE_APPEAL)
    assert GROUNDS not in str(lodged.payload)
    assert lodged.reason == ""
    # Each named person was told.
    named = set(
        Notification.objects.filter(case=case, kind=Kind.FORMAL_NAMED).values_list(
            "recipient_id", flat=True
        )
    )
    assert named == {staff.investigator.pk, staff.chair.pk, staff.hearer.pk}


@pytest.mark.parametrize("outcome", ["no_case", "informal"])
def test_no_case_or_informal_action_concludes_at_once(
    formal_case: Case, story: Story, staff: Staff, outcome: str
) -> None:
    case = with_investigator(formal_case, story.cast.hr, staff.investigator)
    case = services.formal_investigation_outcome_record(
        case_id=case.pk, actor=story.cast.hr, outcome=outcome, reason="Nothing further."
    )
    assert fresh(case).formal_concluded_at is not None
    assert _open_spells(case) == []
    with pytest.raises(Conflict, match="concluded"):
        services.formal_hearing_schedule(
            case_id=case.pk,
            actor=story.cast.hr,
            hearing_on=timezone.now(),
            chair=staff.chair.pk,
            accompaniment_told=True,
        )


def test_a_sanction_not_appealed_is_concluded_by_hr(
    formal_case: Case, story: Story, staff: Staff
) -> None:
    case = to_hearing(formal_case, story.cast.hr, staff.investigator)
    with pytest.raises(Conflict, match="concludes after"):
        services.formal_conclude(case_id=case.pk, actor=story.cast.hr)
    case = hear(case, story.cast.hr, staff.chair)
    case = services.formal_conclude(case_id=case.pk, actor=story.cast.hr)
    assert fresh(case).formal_concluded_at is not None
    with pytest.raises(Conflict):
        services.formal_appeal_lodge(
            case_id=case.pk,
            actor=story.cast.hr,
            lodged_on=timezone.localdate(),
            grounds=GROUNDS,
            hearer=staff.hearer.pk,
        )


def test_no_sanction_concludes_and_cannot_be_appealed(
    formal_case: Case, story: Story, staff: Staff
) -> None:
    case = heard(formal_case, story.cast.hr, staff.investigator, staff.chair, sanction="none")
    assert fresh(case).formal_concluded_at is not None


def test_steps_out_of_order_are_refused_as_not_yet(
    formal_case: Case, story: Story, staff: Staff
) -> None:
    hr = story.cast.hr
    with pytest.raises(Conflict, match="Name the investigator first"):
        services.formal_investigation_outcome_record(
            case_id=formal_case.pk, actor=hr, outcome="no_case", reason="x"
        )
    with pytest.raises(Conflict):
        services.formal_conclude(case_id=formal_case.pk, actor=hr)
    with pytest.raises(Conflict, match="against a sanction"):
        services.formal_appeal_lodge(
            case_id=formal_case.pk,
            actor=hr,
            lodged_on=timezone.localdate(),
            grounds=GROUNDS,
            hearer=staff.hearer.pk,
        )


def test_only_hr_records_the_process(formal_case: Case, story: Story, staff: Staff) -> None:
    for who in (story.cast.director, story.cast.manager):
        with pytest.raises((NotAllowed,)):
            services.formal_investigator_name(
                case_id=formal_case.pk, actor=who, investigator=staff.investigator.pk
            )


def test_bad_input_names_each_field(formal_case: Case, story: Story, staff: Staff) -> None:
    case = to_hearing(formal_case, story.cast.hr, staff.investigator)
    with pytest.raises(ValidationFailed) as refused:
        services.formal_hearing_schedule(
            case_id=case.pk,
            actor=story.cast.hr,
            hearing_on="tomorrow",
            chair=None,
            accompaniment_told=False,
            companion_role="cousin",
        )
    assert set(refused.value.errors) == {
        "hearing_on",
        "chair",
        "accompaniment_told",
        "companion_role",
    }


def test_the_investigate_reminder_goes_to_the_investigator_and_the_case_owner(
    formal_case: Case, story: Story, staff: Staff
) -> None:
    case = with_investigator(formal_case, story.cast.hr, staff.investigator)
    ScheduledNotice.objects.filter(step__case=case, kind=Kind.REMINDER).update(
        fire_on=timezone.localdate()
    )
    deadline_notices_fire()
    told = set(
        Notification.objects.filter(case=case, kind=Kind.REMINDER).values_list(
            "recipient_id", flat=True
        )
    )
    assert staff.investigator.pk in told
    assert fresh(case).owner_id in told


def test_a_process_cannot_exist_for_a_case_not_in_formal(story: Story) -> None:
    case = story.signoff()
    with pytest.raises(IntegrityError), transaction.atomic():
        FormalProcess.objects.create(case=case, opened_at=timezone.now())


def test_the_database_keeps_the_acas_order(formal_case: Case) -> None:
    process = FormalProcess.objects.get(case=formal_case)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        # A sanction without a hearing.
        FormalProcess.objects.filter(pk=process.pk).update(
            sanction="dismissal", sanction_recorded_at=now
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        # An appeal without a sanction.
        FormalProcess.objects.filter(pk=process.pk).update(appeal_lodged_on=now.date())
