"""The retention pages: HR lists the files due, confirms one by typing its
reference and a reason, and then sees its tombstone; everyone else is
refused, and a destroyed case is a 404 to them."""

from __future__ import annotations

import time_machine
from django.test import Client
from django.urls import reverse

from web import retention
from workflow.models import Case

from ..records.world import LATER, at
from ..workflow.steps import Story
from .pages import login

REASON = "Six years since closure under the retention schedule."


def closed_case(story: Story) -> Case:
    with at(2024, 5, 2):
        return story.closed()


def test_hr_sees_the_due_files_without_names(client: Client, cast, story, employee):
    case = closed_case(story)
    with time_machine.travel(LATER):
        body = login(client, cast.hr).get(reverse("audit:retention")).content.decode()
    assert case.reference in body
    assert "Closed without a formal investigation" in body
    assert "2 May 2030" in body  # the due date
    assert employee.name not in body
    assert case.summary not in body


def test_a_file_not_yet_due_is_not_listed(client: Client, cast, story):
    case = closed_case(story)
    body = login(client, cast.hr).get(reverse("audit:retention")).content.decode()
    assert case.reference not in body
    assert "No case file is due for destruction." in body


def test_the_list_pages_by_keyset(client: Client, cast, story, monkeypatch):
    cases = [closed_case(story) for _ in range(3)]
    monkeypatch.setattr(retention, "PAGE_SIZE", 2)
    url = reverse("audit:retention")
    with time_machine.travel(LATER):
        first = login(client, cast.hr).get(url).content.decode()
        older = first.split("cursor=")[1].split('"')[0]
        second = client.get(f"{url}?cursor={older}").content.decode()
    assert cases[0].reference in first
    assert cases[2].reference not in first
    assert cases[2].reference in second
    assert cases[0].reference not in second


def test_a_damaged_cursor_is_a_400(client: Client, cast):
    response = login(client, cast.hr).get(reverse("audit:retention") + "?cursor=%00zz")
    assert response.status_code == 400


def test_hr_confirms_a_destruction_and_then_sees_the_tombstone(
    client: Client, cast, story, employee
):
    case = closed_case(story)
    url = reverse("audit:retention_destroy", args=[case.pk])
    with time_machine.travel(LATER):
        page = login(client, cast.hr).get(url)
        assert page.status_code == 200
        assert 'data-testid="destroy-form"' in page.content.decode()
        response = client.post(url, {"reference": case.reference, "reason": REASON})
        assert response.status_code == 302
        assert response["Location"] == reverse("cases:detail", args=[case.pk])
        tomb = client.get(response["Location"]).content.decode()
    assert "under the retention schedule" in tomb
    assert case.reference in tomb
    assert employee.name not in tomb
    assert Case.objects.get(pk=case.pk).destroyed_at is not None


def test_a_wrong_reference_or_no_reason_is_a_form_error_and_changes_nothing(
    client: Client, cast, story
):
    case = closed_case(story)
    url = reverse("audit:retention_destroy", args=[case.pk])
    with time_machine.travel(LATER):
        login(client, cast.hr)
        wrong = client.post(url, {"reference": "FTP-2000-00001", "reason": REASON})
        blank = client.post(url, {"reference": case.reference, "reason": ""})
        control = client.post(url, {"reference": case.reference, "reason": "a\x00b"})
    for response in (wrong, blank, control):
        assert response.status_code == 400
        assert 'data-testid="error-summary"' in response.content.decode()
    assert "Type the case reference exactly as shown" in wrong.content.decode()
    assert Case.objects.get(pk=case.pk).destroyed_at is None


def test_a_file_not_due_shows_a_notice_and_no_form(client: Client, cast, story):
    case = closed_case(story)
    url = reverse("audit:retention_destroy", args=[case.pk])
    response = login(client, cast.hr).get(url)
    assert response.status_code == 409
    body = response.content.decode()
    assert "not due for destruction until 2 May 2030" in body
    assert "destroy-form" not in body
    posted = client.post(url, {"reference": case.reference, "reason": REASON})
    assert posted.status_code == 409
    assert Case.objects.get(pk=case.pk).destroyed_at is None


def test_only_hr_may_open_the_retention_pages(client: Client, cast, story):
    case = closed_case(story)
    for person in (cast.director, cast.manager, cast.governance, cast.outsider):
        login(client, person)
        assert client.get(reverse("audit:retention")).status_code == 403
        destroy = reverse("audit:retention_destroy", args=[case.pk])
        assert client.get(destroy).status_code == 403
        assert (
            client.post(destroy, {"reference": case.reference, "reason": REASON}).status_code == 403
        )
    client.logout()
    assert client.get(reverse("audit:retention")).status_code == 302


def test_a_destroyed_case_is_a_404_to_everyone_but_hr(client: Client, cast, story):
    case = closed_case(story)
    url = reverse("audit:retention_destroy", args=[case.pk])
    with time_machine.travel(LATER):
        login(client, cast.hr).post(url, {"reference": case.reference, "reason": REASON})
    detail = reverse("cases:detail", args=[case.pk])
    for person in (cast.director, cast.manager):
        assert login(client, person).get(detail).status_code == 404
    assert login(client, cast.hr).get(url).status_code == 404  # nothing left to destroy
    assert client.get(reverse("cases:list")).content.decode().count(case.reference) == 0
