"""Nothing a person may not see reaches them by a side door.

A panel member who has not declared "no conflict" (or who declared a
conflict and was stood down) sees a case's reference, the people and what to
do: not through its action pages, its forms' starting values or their inbox
either. A member's stated reason for a conflict is HR's alone: not on the
case page's path, the API's path or panel, the audit explorer or its exports.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from panels.services import panel_declare

from ..factories import referral_kwargs
from .steps import Story

FRIEND = "The employee is a close friend of mine; we share a flat."
# Every action page a member yet to declare (or stood down) may not use now.
NOT_THEIRS = [
    "triage",
    "resubmit",
    "record_informal_outcome",
    "convene_panel",
    "replace_members",
    "record_view",
    "decide",
    "signoff",
    "withdraw",
]


def html(response: HttpResponse) -> str:
    return response.content.decode()


def get(client: Client, user: Any, url: str, **params: str) -> Any:
    client.force_login(user)
    return client.get(url, params)


def api(user: Any, url: str) -> Any:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def substance(story: Story) -> list[str]:
    """What a member yet to declare must not read: the concern, what was tried
    and the employee's department."""
    kwargs = referral_kwargs(story.employee)
    return [kwargs["summary"], kwargs["informal_steps_tried"], story.employee.org_unit.name]


def leaks(text: str, story: Story) -> list[str]:
    return [secret for secret in substance(story) if secret in text]


# --- a member yet to declare, or stood down ----------------------------------------


@pytest.mark.parametrize("action", NOT_THEIRS)
def test_an_action_page_refused_to_a_member_yet_to_declare_shows_nothing_of_the_case(
    client: Client, cast: Any, story: Story, action: str
) -> None:
    case = story.just_convened()
    response = get(client, cast.panel_b, reverse("cases:action", args=[case.pk, action]))
    assert response.status_code == 409
    text = html(response)
    assert "You cannot take this action on this case now." in text
    assert case.reference in text
    assert leaks(text, story) == []
    # Nor the referring manager's answers to the guide, pre-selected.
    assert "checked" not in text


@pytest.mark.parametrize("action", NOT_THEIRS)
def test_an_action_page_refused_to_a_member_stood_down_shows_nothing_of_the_case(
    client: Client, cast: Any, story: Story, action: str
) -> None:
    case = story.just_convened()
    panel_declare(case_id=case.pk, actor=cast.panel_b, no_conflict=False, reason=FRIEND)
    response = get(client, cast.panel_b, reverse("cases:action", args=[case.pk, action]))
    assert response.status_code == 409
    text = html(response)
    assert leaks(text, story) == []
    assert "checked" not in text
    assert FRIEND not in text


def test_the_chair_yet_to_declare_is_not_shown_the_managers_answers_on_the_decide_page(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.just_convened()
    url = reverse("cases:action", args=[case.pk, "decide"])
    refused = get(client, cast.panel_a, url)
    assert refused.status_code == 409
    assert 'name="q1a"' not in html(refused)
    # Once the panel is ready, the chair's form starts from the manager's answers.
    story.deliberated(case)
    allowed = html(get(client, cast.panel_a, url))
    assert 'name="q1a" value="no"' in allowed
    assert "checked" in allowed


def test_the_inbox_of_a_chair_yet_to_declare_shows_no_department(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.just_convened()
    text = html(get(client, cast.panel_a, reverse("cases:inbox")))
    assert case.reference in text  # the chair's decide task, and their panel work
    assert 'data-testid="panel-work"' in text
    assert leaks(text, story) == []
    panel_declare(case_id=case.pk, actor=cast.panel_a, no_conflict=True)
    cleared = html(get(client, cast.panel_a, reverse("cases:inbox")))
    assert story.employee.org_unit.name in cleared


def test_the_inbox_of_a_chair_who_stood_down_shows_no_department(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.just_convened()
    panel_declare(case_id=case.pk, actor=cast.panel_a, no_conflict=False, reason=FRIEND)
    text = html(get(client, cast.panel_a, reverse("cases:inbox")))
    assert leaks(text, story) == []
    assert FRIEND not in text


# --- a conflict's reason is HR's alone ---------------------------------------------


@pytest.fixture
def conflicted(cast: Any, story: Story) -> Any:
    """A convened panel on which Paul declared a conflict and Priya none."""
    case = story.just_convened()
    panel_declare(case_id=case.pk, actor=cast.panel_b, no_conflict=False, reason=FRIEND)
    return panel_declare(case_id=case.pk, actor=cast.panel_a, no_conflict=True)


@pytest.mark.parametrize("who", ["manager", "panel_a", "director"])
def test_the_case_page_path_does_not_show_a_conflicts_reason(
    client: Client, cast: Any, conflicted: Any, who: str
) -> None:
    text = html(get(client, getattr(cast, who), reverse("cases:detail", args=[conflicted.pk])))
    assert 'data-testid="path"' in text
    assert FRIEND not in text


def test_hr_reads_the_conflicts_reason_on_the_case_page(
    client: Client, cast: Any, conflicted: Any
) -> None:
    assert FRIEND in html(get(client, cast.hr, reverse("cases:detail", args=[conflicted.pk])))


@pytest.mark.parametrize(("who", "shown"), [("hr", True), ("director", False)])
def test_the_api_path_shows_a_conflicts_reason_to_hr_only(
    cast: Any, conflicted: Any, who: str, shown: bool
) -> None:
    events = api(getattr(cast, who), f"/api/v1/referrals/{conflicted.pk}/path/")
    declared = [e for e in events if e["action"] == "declare"]
    assert len(declared) == 2
    assert (FRIEND in [e["reason"] for e in declared]) is shown


@pytest.mark.parametrize("who", ["manager", "panel_a", "director"])
def test_the_api_case_shows_no_conflicts_reason_but_to_hr(
    cast: Any, conflicted: Any, who: str
) -> None:
    body = api(getattr(cast, who), f"/api/v1/referrals/{conflicted.pk}/")
    assert FRIEND not in str(body)
    hr = api(cast.hr, f"/api/v1/referrals/{conflicted.pk}/")
    assert FRIEND in [s["conflict_reason"] for p in hr["panels"] for s in p["seats"]]


@pytest.mark.parametrize(("who", "shown"), [("hr", True), ("director", False)])
def test_the_explorer_shows_a_conflicts_reason_to_hr_only(
    client: Client, cast: Any, conflicted: Any, who: str, shown: bool
) -> None:
    user = getattr(cast, who)
    timeline = get(client, user, reverse("cases:path", args=[conflicted.pk]))
    search = get(client, user, reverse("audit:index"), case=conflicted.reference)
    assert timeline.status_code == search.status_code == 200
    assert (FRIEND in html(timeline)) is shown
    assert (FRIEND in html(search)) is shown


def _csv(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def _xlsx(response: Any) -> str:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert sheet is not None
    return "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row)


@pytest.mark.parametrize(("fmt", "read"), [("csv", _csv), ("xlsx", _xlsx)])
@pytest.mark.parametrize(("who", "shown"), [("hr", True), ("director", False)])
def test_an_export_holds_a_conflicts_reason_for_hr_only(
    client: Client, cast: Any, conflicted: Any, fmt: str, read: Any, who: str, shown: bool
) -> None:
    response = get(
        client, getattr(cast, who), reverse("audit:export", args=[fmt]), case=conflicted.reference
    )
    assert response.status_code == 200
    text = read(response)
    assert "declare" in text  # the declarations are exported, reason or not
    assert (FRIEND in text) is shown
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        declared = [r for r in rows if r["event"] == "declare"]
        assert len(declared) == 2
