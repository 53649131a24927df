"""The referral form: its employee picker, its duplicate warning, the reason
HR then sees at triage, and a form sent twice making one case."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from workflow.models import Case

from ..factories import EmployeeFactory
from .pages import act, login, page, submit, submit_case

pytestmark = pytest.mark.django_db

PICKER = "/cases/new/employees/"
REASON = "A separate concern: a different shift and a different colleague."


def picker(client: Client, user: Any, query: str) -> Any:
    login(client, user)
    return client.get(PICKER, {"q": query} if query is not None else {})


# --- the picker ------------------------------------------------------------------


def test_the_picker_shows_name_department_and_staff_number(client: Client, cast: Any) -> None:
    EmployeeFactory.create(name="Grace Okafor", staff_number="ESR40001", job_title="Staff Nurse")

    response = picker(client, cast.manager, "okaf")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response.json() == {
        "results": [
            {
                "staff_number": "ESR40001",
                "name": "Grace Okafor",
                "job_title": "Staff Nurse",
                "department": "Emergency Department",
            }
        ],
        "more": False,
    }


def test_the_picker_never_offers_the_manager_themselves(client: Client, cast: Any) -> None:
    EmployeeFactory.create(name="Maya Manager", user=cast.manager)
    EmployeeFactory.create(name="Maya Mensah")

    names = [r["name"] for r in picker(client, cast.manager, "maya").json()["results"]]

    assert names == ["Maya Mensah"]


def test_the_picker_says_when_there_are_more_than_it_shows(client: Client, cast: Any) -> None:
    for i in range(25):
        EmployeeFactory.create(name=f"Sam Lee {i:02d}")

    body = picker(client, cast.manager, "sam lee").json()

    assert len(body["results"]) == 20
    assert body["more"] is True


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (None, "Type at least 2 letters"),
        ("", "Type at least 2 letters"),
        ("a", "Type at least 2 letters"),
        ("x" * 101, "at most 100 characters"),
    ],
)
def test_bad_picker_input_is_a_400_saying_why(
    client: Client, cast: Any, query: str | None, message: str
) -> None:
    response = picker(client, cast.manager, query)  # type: ignore[arg-type]

    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"]["q"])


def test_a_nul_in_the_picker_query_is_a_400(client: Client, cast: Any) -> None:
    # Refused at the door (config.middleware), before the view reads it.
    assert picker(client, cast.manager, "gr\x00ace").status_code == 400


@pytest.mark.parametrize("who", ["hr", "panel_a", "director", "governance", "outsider"])
def test_only_a_referring_manager_may_use_the_picker(client: Client, cast: Any, who: str) -> None:
    EmployeeFactory.create(name="Grace Okafor")

    response = picker(client, getattr(cast, who), "grace")

    assert response.status_code == 403
    assert "Grace" not in response.content.decode()


def test_the_picker_sends_the_anonymous_to_log_in(client: Client) -> None:
    response = client.get(PICKER, {"q": "grace"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_form_carries_the_picker_and_its_script(client: Client, cast: Any) -> None:
    login(client, cast.manager)
    html = client.get(reverse("cases:new")).content.decode()

    assert 'data-testid="employee-picker"' in html
    assert f'data-url="{PICKER}"' in html
    assert "workflow/js/employee_picker.js" in html
    # Without the script the staff number field works alone: it is in the form.
    assert 'name="staff_number"' in html
    assert re.search(r'name="submission_key" value="[0-9a-f-]{36}"', html)


# --- the duplicate warning -------------------------------------------------------


def test_an_open_case_is_warned_of_and_a_reason_asked(
    client: Client, cast: Any, employee: Any
) -> None:
    mine = submit_case(client, cast.manager, employee)

    response = submit(client, cast.manager, employee)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="duplicate-warning"' in html
    assert mine.reference in html  # their own open case: named and linked
    assert "Say why you are referring this employee again" in html
    assert Case.objects.count() == 1


def test_a_case_the_manager_may_not_see_is_warned_of_without_details(
    client: Client, cast: Any, employee: Any
) -> None:
    theirs = submit_case(client, cast.other_manager, employee)

    response = submit(client, cast.manager, employee)

    html = response.content.decode()
    assert response.status_code == 400
    assert "This employee already has an open referral. HR will see both." in html
    assert theirs.reference not in html
    assert "omar" not in html.lower()  # not who referred them
    assert Case.objects.count() == 1


def test_with_a_reason_the_referral_is_made_and_the_reason_kept(
    client: Client, cast: Any, employee: Any
) -> None:
    submit_case(client, cast.other_manager, employee)

    case = submit_case(client, cast.manager, employee, duplicate_reason=REASON)

    assert case.referring_manager == cast.manager
    assert case.duplicate_reason == REASON
    assert Case.objects.count() == 2


def test_hr_sees_the_linked_cases_and_the_reason_at_triage(
    client: Client, cast: Any, employee: Any
) -> None:
    first = submit_case(client, cast.other_manager, employee)
    second = submit_case(client, cast.manager, employee, duplicate_reason=REASON)

    login(client, cast.hr)
    triage = client.get(reverse("cases:action", args=[second.pk, "triage"])).content.decode()
    detail = page(client, cast.hr, first).content.decode()

    assert 'data-testid="linked-cases"' in triage
    assert first.reference in triage
    assert REASON in triage
    # The first case's page links the second back.
    assert second.reference in detail


def test_a_manager_sees_no_linked_case_they_may_not_see(
    client: Client, cast: Any, employee: Any
) -> None:
    first = submit_case(client, cast.other_manager, employee)
    second = submit_case(client, cast.manager, employee, duplicate_reason=REASON)

    html = page(client, cast.manager, second).content.decode()

    assert first.reference not in html
    assert REASON in html  # their own reason, on their own case


def test_a_triaged_case_is_still_an_open_case(client: Client, cast: Any, employee: Any) -> None:
    first = submit_case(client, cast.manager, employee)
    act(client, cast.hr, first, "triage", route="informal", reason="")

    response = submit(client, cast.manager, employee)

    assert response.status_code == 400
    assert first.reference in response.content.decode()


# --- sent twice ------------------------------------------------------------------


def test_the_same_form_sent_twice_makes_one_case(client: Client, cast: Any, employee: Any) -> None:
    key = str(uuid.uuid4())
    first = submit(client, cast.manager, employee, submission_key=key)
    again = submit(client, cast.manager, employee, submission_key=key)

    case = Case.objects.get()
    assert first.status_code == again.status_code == 302
    assert again["Location"] == reverse("cases:detail", args=[case.pk])
    followed = client.get(again["Location"]).content.decode()
    assert f"submitted already, as {case.reference}" in followed


def test_a_form_without_its_key_is_shown_again_with_one(
    client: Client, cast: Any, employee: Any
) -> None:
    response = submit(client, cast.manager, employee, submission_key="")

    html = response.content.decode()
    assert response.status_code == 400
    assert "submit the referral again" in html
    assert re.search(r'name="submission_key" value="[0-9a-f-]{36}"', html)
    assert Case.objects.count() == 0


def test_a_bad_key_is_a_400_not_a_500(client: Client, cast: Any, employee: Any) -> None:
    response = submit(client, cast.manager, employee, submission_key="not-a-key\x00")
    assert response.status_code == 400
    assert Case.objects.count() == 0
