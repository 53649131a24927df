"""One case walked end to end through the API, past the referral (issue 20).

HR sends the employee a single-use link for their account (the link reaches
them by email: the API never answers with it); the employee gives their
account on the page it opens, with no login, and a second use and an
expired link are refused. The panel decides with the account before it, the
sign-off approves; HR records a suspension and reviews it on time; the
formal process runs through investigation, hearing and sanction to an
appeal, which is refused for the panel's chair (the rule named) and heard by
someone not previously involved.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from notifications.models import Kind, Notification
from notifications.services.suspensions import suspension_sweep

from ..formal.conftest import staff_member
from .steps import Api, Walk, action_url, case_url, ok

pytestmark = pytest.mark.django_db

ACCOUNT = "I asked for help twice before handover; nobody came."
LINK = re.compile(r"https?://[^\s]+/account/([^\s/]+)/")


def _link_emailed(walk: Walk, case: dict[str, Any], capture: Any, address: str) -> str:
    """HR issues a link through the API; the employee's email carries it."""
    sent = len(mail.outbox)
    with capture(execute=True):
        answer = ok(walk.hr.post(action_url(case["id"], "issue_account_link"), {}))
    assert LINK.search(str(answer)) is None  # never in an API answer
    assert len(mail.outbox) == sent + 1
    message = mail.outbox[-1]
    assert message.to == [address]
    found = LINK.search(str(message.body))
    assert found is not None, message.body
    return found.group(1)


def test_a_case_is_walked_from_the_account_to_the_appeal_through_the_api(
    walk: Walk, employee: Any, django_capture_on_commit_callbacks: Any
) -> None:
    employee.email = "sam.employee@trust.example"
    employee.save(update_fields=["email"])
    case = walk.panel()
    case = ok(
        walk.hr.act(
            case["id"],
            "convene_panel",
            members=[m.pk for m in walk.cast.panel],
            chair=walk.cast.panel_a.pk,
        )
    )
    case = ok(
        walk.hr.act(
            case["id"],
            "record_employee_told",
            told_on=timezone.localdate().isoformat(),
            method="in_person",
        )
    )

    # --- the account, by the employee's single-use link ---------------------------
    stale = _link_emailed(walk, case, django_capture_on_commit_callbacks, employee.email)
    with time_machine.travel(timezone.now() + dt.timedelta(days=11)):  # past its 10 days
        assert Client().get(f"/account/{stale}/").status_code == 410
    token = _link_emailed(walk, case, django_capture_on_commit_callbacks, employee.email)
    assert Client().get(f"/account/{stale}/").status_code == 404  # replaced by the new one
    employee_page = Client()
    page = employee_page.get(f"/account/{token}/")
    assert page.status_code == 200
    assert case["reference"] in page.content.decode()
    assert employee_page.post(f"/account/{token}/", {"text": ACCOUNT}).status_code == 200
    again = Client().post(f"/account/{token}/", {"text": "A second go."})
    assert again.status_code == 410  # single use
    # HR reads the account and the link's state in the case, never the link.
    voice = ok(walk.hr.case(case["id"]))["voice"]
    assert voice["told"] == {"told_on": timezone.localdate().isoformat(), "method": "in_person"}
    assert [(a["source"], a["text"]) for a in voice["accounts"]] == [("link", ACCOUNT)]
    assert (voice["link"]["state"], voice["link"]["emailed"]) == ("used", True)
    assert token not in str(voice)
    # The chair, yet to declare, does not; nor does the referring manager.
    assert ok(Api.as_user(walk.cast.panel_a).case(case["id"]))["voice"] is None
    manager = ok(Api.as_user(walk.cast.manager).case(case["id"]))
    assert (manager["voice"], manager["wellbeing"]) == (None, None)
    wellbeing = ok(walk.hr.case(case["id"]))["wellbeing"]
    assert wellbeing["contact"] == walk.cast.hr.pk
    assert wellbeing["next_due_on"] is not None
    assert wellbeing["overdue"] is False

    # --- the panel decides with the account before it; the sign-off approves -------
    case = walk.deliberate(ok(walk.hr.case(case["id"])), view="formal_investigation")
    chair = ok(Api.as_user(walk.cast.panel_a).case(case["id"]))  # cleared now
    assert [a["text"] for a in chair["voice"]["accounts"]] == [ACCOUNT]
    assert chair["wellbeing"] is None  # wellbeing is HR's and the contact's
    path = [e["action"] for e in ok(walk.hr.path(case["id"]))]
    assert "account_received_by_link" in path
    case = walk.decide(case, "formal_investigation")
    case = ok(walk.director.act(case["id"], "signoff", approve=True, reason="Proportionate."))
    assert (case["stage"], case["formal"]["stage"]) == ("formal", "investigation")

    # --- a suspension, reviewed on time --------------------------------------------
    today = timezone.localdate()
    case = ok(
        walk.hr.act(
            case["id"],
            "record_suspension",
            kind="restriction",
            reason="No lone working with patients while it is looked into.",
            decided_by=walk.cast.director.pk,
            started_on=today.isoformat(),
        )
    )
    first_due = dt.date.fromisoformat(case["suspension"]["review_due_on"])
    assert first_due > today
    review_day = first_due - dt.timedelta(days=1)
    with time_machine.travel(dt.datetime.combine(review_day, dt.time(10), tzinfo=dt.UTC)):
        case = ok(
            walk.hr.act(
                case["id"],
                "review_suspension",
                reviewed_on=review_day.isoformat(),
                decision="continue",
                reason="Still needed while the investigation runs.",
            )
        )
        next_due = dt.date.fromisoformat(case["suspension"]["review_due_on"])
        assert next_due > first_due
    with time_machine.travel(dt.datetime.combine(first_due, dt.time(10), tzinfo=dt.UTC)):
        suspension_sweep()  # the old due date passes with the review done
    overdue = (Kind.SUSPENSION_REVIEW_OVERDUE, Kind.SUSPENSION_ESCALATED)
    assert not Notification.objects.filter(kind__in=overdue).exists()

    # --- investigation, hearing, sanction, appeal ----------------------------------
    investigator = staff_member("ivy.investigator")
    chair = staff_member("chad.chair")
    hearer = staff_member("hetty.hearer")
    case = ok(walk.hr.act(case["id"], "name_investigator", investigator=investigator.pk))
    case = ok(
        walk.hr.act(
            case["id"],
            "record_investigation_outcome",
            investigation_outcome="hearing",
            reason="A case to answer about the handover.",
        )
    )
    case = ok(
        walk.hr.act(
            case["id"],
            "schedule_hearing",
            hearing_on=(timezone.now() + dt.timedelta(days=5)).isoformat(),
            chair=chair.pk,
            accompaniment_told=True,
            companion_name="Rita Rep",
            companion_role="union_rep",
        )
    )
    case = ok(
        walk.hr.act(
            case["id"],
            "record_hearing_outcome",
            held_on=today.isoformat(),
            sanction="first_written",
            detail="A first written warning for six months.",
        )
    )
    # The panel's chair took part earlier: refused, the rule named.
    refused = walk.hr.act(
        case["id"],
        "lodge_appeal",
        lodged_on=today.isoformat(),
        grounds="Too severe for a first concern.",
        hearer=walk.cast.panel_a.pk,
    )
    assert refused.status_code == 400
    assert "Not previously involved" in str(refused.json())
    case = ok(
        walk.hr.act(
            case["id"],
            "lodge_appeal",
            lodged_on=today.isoformat(),
            grounds="Too severe for a first concern.",
            hearer=hearer.pk,
        )
    )
    case = ok(walk.hr.act(case["id"], "record_appeal_outcome", appeal_outcome="varied"))

    formal = ok(walk.hr.get(case_url(case["id"])))["formal"]
    assert formal["stage"] == "concluded"
    assert (formal["sanction"], formal["appeal_outcome"]) == ("first_written", "varied")
    assert [s["step"] for s in formal["steps"]] == ["investigate", "hearing", "appeal"]
    assert ok(walk.hr.case(case["id"]))["suspension"] is None  # lifted with the conclusion
    # The referring manager sees neither the account nor the suspension.
    theirs = ok(Api.as_user(walk.cast.manager).case(case["id"]))
    assert theirs["suspension"] is None
    assert ACCOUNT not in str(theirs)
