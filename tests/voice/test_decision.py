"""The panel decides with the employee's account in front of it (or says why not),
and only those ``AccountVisible`` admits read the account."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import Conflict, ValidationFailed
from panels.models import PanelDecision
from panels.services import (
    panel_convene,
    panel_decision_record,
    panel_declare,
    panel_view_record,
)
from voice.selectors import account_card
from workflow.access import AccountVisible
from workflow.models import Case

from ..casefile.documents import PDF
from ..factories import EmployeeFactory
from ..policy import policy_set
from ..workflow.steps import RATIONALE, Story, deliberate, fresh, refused

pytestmark = pytest.mark.django_db

ACCOUNT = "I was covering two bays that shift and asked for help twice before handover."
WHY = "The employee declined to give an account and asked the panel to go ahead."


def _without_account(story: Story) -> Case:
    """Convened and deliberated, but with the employee's account never added."""
    case = story.panel()
    cast = story.cast
    panel_convene(
        case_id=case.pk, actor=cast.hr, members=[m.pk for m in cast.panel], chair=cast.panel_a.pk
    )
    for member in cast.panel:
        panel_declare(case_id=case.pk, actor=member, no_conflict=True)
        panel_view_record(case_id=case.pk, actor=member, outcome="mediation", comment="Agreed.")
    return fresh(case)


def test_the_decision_is_refused_without_the_account_by_default(cast: Any, story: Story) -> None:
    case = _without_account(story)
    exc = refused(
        Conflict,
        panel_decision_record,
        case_id=case.pk,
        actor=cast.panel_a,
        outcome="mediation",
        rationale=RATIONALE,
        without_account_reason=WHY,
    )
    assert "employee's own account is not on the case" in exc.message


def test_where_the_policy_allows_it_a_reason_is_required_and_kept(cast: Any, story: Story) -> None:
    policy_set(decision_without_account=True)
    case = _without_account(story)
    exc = refused(
        ValidationFailed,
        panel_decision_record,
        case_id=case.pk,
        actor=cast.panel_a,
        outcome="mediation",
        rationale=RATIONALE,
        without_account_reason="   ",
    )
    assert isinstance(exc, ValidationFailed)
    assert set(exc.errors) == {"without_account_reason"}

    panel_decision_record(
        case_id=case.pk,
        actor=cast.panel_a,
        outcome="mediation",
        rationale=RATIONALE,
        without_account_reason=WHY,
    )
    assert PanelDecision.objects.get(case=case).without_account_reason == WHY


def test_with_the_account_no_reason_is_asked_or_kept(cast: Any, story: Story) -> None:
    case = story.convened()
    story.decide(case, "mediation")
    assert PanelDecision.objects.get(case=case).without_account_reason is None


def test_the_web_decision_form_asks_why_only_without_an_account(
    cast: Any, story: Story, client: Client
) -> None:
    policy_set(decision_without_account=True)
    client.force_login(cast.panel_a)
    case = _without_account(story)
    url = reverse("cases:action", args=[case.pk, "decide"])
    assert "without_account_reason" in client.get(url).content.decode()
    refusal = client.post(
        url, {"version": case.version, "outcome": "mediation", "rationale": RATIONALE}
    )
    assert refusal.status_code == 400
    assert "the reason the panel decides without" in refusal.content.decode()
    done = client.post(
        url,
        {
            "version": case.version,
            "outcome": "mediation",
            "rationale": RATIONALE,
            "without_account_reason": WHY,
        },
    )
    assert done.status_code == 302
    with_account = story.convened()
    page = client.get(reverse("cases:action", args=[with_account.pk, "decide"]))
    assert "without_account_reason" not in page.content.decode()
    # The chair reads the employee's account on the decision form.
    assert ACCOUNT in page.content.decode()


def test_who_reads_the_account(cast: Any, story: Story, extras: Any) -> None:
    case = story.convened()
    loaded = Case.objects.get(pk=case.pk)
    assert AccountVisible.allows(cast.hr, loaded)
    assert AccountVisible.allows(cast.panel_a, loaded)  # cleared member
    assert AccountVisible.allows(cast.director, loaded)  # may sign off
    assert not AccountVisible.allows(cast.manager, loaded)  # the referring manager
    assert not AccountVisible.allows(cast.governance, loaded)
    assert not AccountVisible.allows(extras.panel_d, loaded)  # not on this panel
    assert account_card(cast.manager, loaded) is None


def test_the_case_page_shows_the_account_to_hr_and_the_panel_not_the_manager(
    cast: Any, story: Story, client: Client
) -> None:
    case = story.convened()
    url = reverse("cases:detail", args=[case.pk])
    for reader in (cast.hr, cast.panel_b, cast.director):
        client.force_login(reader)
        page = client.get(url).content.decode()
        assert ACCOUNT in page, reader
        assert 'data-testid="employee-account"' in page
    client.force_login(cast.manager)
    page = client.get(url).content.decode()
    assert ACCOUNT not in page
    assert 'data-testid="employee-account"' not in page


def test_hr_sees_the_link_once_on_the_page_after_issuing(
    cast: Any, story: Story, client: Client
) -> None:
    case = story.panel()
    client.force_login(cast.hr)
    url = reverse("cases:action", args=[case.pk, "issue_account_link"])
    response = client.post(url, {"version": fresh(case).version})
    body = response.content.decode()
    assert response.status_code == 200
    assert "/account/" in body
    assert 'data-testid="link-not-emailed"' in body
    assert "no-store" in response["Cache-Control"]
    # The case page shows the link's status, never the link.
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="account-link-status"' in page
    token_url = body.split('data-testid="account-link"', 1)[1].split("<", 1)[0]
    assert token_url.split(">", 1)[1].strip() not in page


def test_the_api_records_the_account_and_the_decision_reason(cast: Any, story: Story) -> None:
    hr = APIClient()
    hr.force_authenticate(cast.hr)
    case = story.panel()
    base = f"/api/v1/referrals/{case.pk}/actions/"
    told = hr.post(
        f"{base}record_employee_told/",
        {"told_on": dt.date.today().isoformat(), "method": "video"},
        format="json",
    )
    assert told.status_code == 200, told.content
    upload = hr.post(
        f"{base}record_account/",
        {
            "source": "upload",
            "file": {"name": "account.pdf", "content_base64": base64.b64encode(PDF).decode()},
        },
        format="json",
    )
    assert upload.status_code == 200, upload.content
    bad = hr.post(
        f"{base}record_account/",
        {"source": "upload", "file": {"name": "a.pdf", "content_base64": "not base64!"}},
        format="json",
    )
    assert bad.status_code == 400
    link = hr.post(f"{base}issue_account_link/", {}, format="json")
    assert link.status_code == 200
    assert "/account/" not in link.content.decode()  # the raw link is never in the API

    policy_set(decision_without_account=True)
    other = _without_account(Story(cast, EmployeeFactory()))
    chair = APIClient()
    chair.force_authenticate(cast.panel_a)
    decide = f"/api/v1/referrals/{other.pk}/actions/decide/"
    body = {"outcome": "mediation", "rationale": RATIONALE}
    assert chair.post(decide, body, format="json").status_code == 400
    done = chair.post(decide, {**body, "without_account_reason": WHY}, format="json")
    assert done.status_code == 200, done.content


def test_deliberating_adds_the_account_as_hr_would(cast: Any, story: Story) -> None:
    case = story.panel()
    panel_convene(
        case_id=case.pk, actor=cast.hr, members=[m.pk for m in cast.panel], chair=cast.panel_a.pk
    )
    deliberate(case)
    card = account_card(cast.hr, Case.objects.get(pk=case.pk))
    assert card is not None
    assert [a.recorded_by for a in card.accounts] == [cast.hr]


def test_only_hr_may_issue_a_link_on_the_web(cast: Any, story: Story, client: Client) -> None:
    case = story.panel()
    url = reverse("cases:action", args=[case.pk, "issue_account_link"])
    client.force_login(cast.director)
    assert client.post(url, {"version": fresh(case).version}).status_code == 403
    client.force_login(cast.governance)
    assert client.post(url, {"version": fresh(case).version}).status_code == 404
    client.force_login(cast.hr)
    withdraw = client.post(url, {"version": fresh(case).version, "withdraw": "on"})
    assert withdraw.status_code == 409
    assert "no open link to withdraw" in withdraw.content.decode()
