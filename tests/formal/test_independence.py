"""Not previously involved: whoever the formal process names is judged by the
panel rule engine (``panels.rules.independence``), and each earlier part in
the case is refused with the rule named: by the service, in the API's 400
body and on the web form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from core.errors import ValidationFailed
from formal import services
from panels.rules import INVOLVED_AS_TEXT, InvolvedAs
from workflow.models import Case

from ..api.steps import Api, action_url
from ..factories import make_user
from ..web.pages import act
from ..workflow.steps import Story, fresh
from .conftest import Staff
from .steps import GROUNDS, heard, to_hearing

pytestmark = pytest.mark.django_db

RULE = "Not previously involved"


def _person(role: InvolvedAs, story: Story, staff: Staff) -> Any:
    cast = story.cast
    if role is InvolvedAs.EMPLOYEE:
        user = make_user("eve.employee")
        story.employee.user = user
        story.employee.save(update_fields=["user"])
        return user
    return {
        InvolvedAs.REFERRER: cast.manager,
        InvolvedAs.TRIAGE: cast.hr,
        InvolvedAs.PANEL_MEMBER: cast.panel_b,
        InvolvedAs.PANEL_CHAIR: cast.panel_a,
        InvolvedAs.SIGNOFF: cast.director,
        InvolvedAs.INVESTIGATOR: staff.investigator,
        InvolvedAs.HEARING_CHAIR: staff.chair,
    }[role]


def _lodge(case: Case, hr: Any, hearer: Any) -> None:
    services.formal_appeal_lodge(
        case_id=case.pk,
        actor=hr,
        lodged_on=timezone.localdate(),
        grounds=GROUNDS,
        hearer=hearer.pk,
    )


@pytest.mark.parametrize("role", list(InvolvedAs))
def test_each_earlier_part_is_refused_as_appeal_hearer_with_the_rule_named(
    formal_case: Case, story: Story, staff: Staff, role: InvolvedAs
) -> None:
    case = heard(formal_case, story.cast.hr, staff.investigator, staff.chair)
    person = _person(role, story, staff)
    with pytest.raises(ValidationFailed) as refused:
        _lodge(case, story.cast.hr, person)
    messages = refused.value.errors["hearer"]
    assert any(
        message.startswith(f"{RULE}:") and INVOLVED_AS_TEXT[role] in message for message in messages
    ), messages


def test_someone_uninvolved_hears_the_appeal(formal_case: Case, story: Story, staff: Staff) -> None:
    case = heard(formal_case, story.cast.hr, staff.investigator, staff.chair)
    _lodge(case, story.cast.hr, staff.hearer)
    assert fresh(case).formal_process.appeal_hearer_id == staff.hearer.pk


def test_the_investigator_may_not_chair_the_hearing(
    formal_case: Case, story: Story, staff: Staff
) -> None:
    case = heard(formal_case, story.cast.hr, staff.investigator, staff.chair)
    assert case.formal_process.hearing_chair_id == staff.chair.pk
    other = to_hearing(story.formal(), story.cast.hr, staff.investigator)
    with pytest.raises(ValidationFailed) as refused:
        services.formal_hearing_schedule(
            case_id=other.pk,
            actor=story.cast.hr,
            hearing_on=timezone.now(),
            chair=staff.investigator.pk,
            accompaniment_told=True,
        )
    assert any(
        INVOLVED_AS_TEXT[InvolvedAs.INVESTIGATOR] in m for m in refused.value.errors["chair"]
    )


def test_an_investigator_who_sat_on_the_panel_is_refused(formal_case: Case, story: Story) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.formal_investigator_name(
            case_id=formal_case.pk, actor=story.cast.hr, investigator=story.cast.panel_b.pk
        )
    [message] = [m for m in refused.value.errors["investigator"] if m.startswith(RULE)]
    assert INVOLVED_AS_TEXT[InvolvedAs.PANEL_MEMBER] in message


def test_the_api_names_the_rule_in_its_400(formal_case: Case, story: Story) -> None:
    api = Api.as_user(story.cast.hr)
    response = api.post(
        action_url(formal_case.pk, "name_investigator"),
        {"investigator": story.cast.panel_b.pk},
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert f"{RULE}: " in str(body)
    assert INVOLVED_AS_TEXT[InvolvedAs.PANEL_MEMBER] in str(body)


def test_the_web_form_names_the_rule_and_keeps_the_choice(
    formal_case: Case, story: Story, client: Client
) -> None:
    response = act(
        client, story.cast.hr, formal_case, "name_investigator", investigator=story.cast.panel_b.pk
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert RULE in page
    assert "sat on this case&#x27;s panel" in page
    # What was chosen is still chosen.
    assert f'<option value="{story.cast.panel_b.pk}" selected>' in page


def test_a_conflict_of_interest_is_refused_as_on_a_panel(
    formal_case: Case, story: Story, staff: Staff
) -> None:
    # Someone in the employee's own department: the panel's conflict rule.
    story.employee.refresh_from_db()
    staff.spare.employee.org_unit = story.employee.org_unit
    staff.spare.employee.save(update_fields=["org_unit"])
    with pytest.raises(ValidationFailed) as refused:
        services.formal_investigator_name(
            case_id=formal_case.pk, actor=story.cast.hr, investigator=staff.spare.pk
        )
    assert any(m.startswith("Conflict of interest:") for m in refused.value.errors["investigator"])


def test_someone_without_an_employee_record_is_refused(formal_case: Case, story: Story) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.formal_investigator_name(
            case_id=formal_case.pk, actor=story.cast.hr, investigator=story.cast.outsider.pk
        )
    assert any(m.startswith("Member of staff:") for m in refused.value.errors["investigator"])
