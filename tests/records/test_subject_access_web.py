"""The HR page for subject access: the form, the download, its errors and refusals."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from audit.models import AuditEvent
from records.subject_access_collect import SUBJECT_ACCESS_EXPORT
from workflow.models import Case

from ..workflow.steps import Story
from .packs import files, rows

pytestmark = pytest.mark.django_db

URL = "/audit/subject-access/"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_hr_downloads_the_pack_whose_sha256_is_on_record(
    story: Story, people: Any, employee: Any
) -> None:
    case = story.informal()
    form = client_for(people.hr).get(URL)
    assert form.status_code == 200
    assert b'name="staff_number"' in form.content

    response = client_for(people.hr).post(
        URL, {"staff_number": employee.staff_number, "request_reference": "SAR-9"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"subject-access-{employee.staff_number}-" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action=SUBJECT_ACCESS_EXPORT)
    assert hashlib.sha256(response.content).hexdigest() == event.payload["sha256"]
    assert response["X-Content-SHA256"] == event.payload["sha256"]
    assert "cover.pdf" in files(response.content)
    assert rows(response.content, "cases.csv")[0]["reference"] == case.reference


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"staff_number": "NO-SUCH", "request_reference": "SAR-1"}, "No employee has staff number"),
        ({"staff_number": "{known}", "request_reference": ""}, "This field is required."),
        ({"staff_number": "{known}", "request_reference": "   "}, "This field is required."),
        ({"staff_number": "{known}\x00", "request_reference": "SAR-1"}, "control character"),
    ],
)
def test_bad_input_is_shown_beside_the_form_and_records_nothing(
    people: Any, employee: Any, body: dict[str, str], message: str
) -> None:
    sent = {k: v.format(known=employee.staff_number) for k, v in body.items()}
    response = client_for(people.hr).post(URL, sent)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["manager", "panel_a", "director", "governance", "outsider"])
def test_anyone_but_hr_is_refused_and_nothing_is_written(
    people: Any, employee: Any, who: str
) -> None:
    client = client_for(getattr(people, who))
    assert client.get(URL).status_code == 403
    body = {"staff_number": employee.staff_number, "request_reference": "SAR-1"}
    assert client.post(URL, body).status_code == 403
    assert not AuditEvent.objects.exists()
    assert not Case.objects.exists()


def test_the_anonymous_are_sent_to_log_in(db: None) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_menu_offers_the_page_to_hr_only(people: Any) -> None:
    assert URL.encode() in client_for(people.hr).get("/cases/inbox/").content
    assert URL.encode() not in client_for(people.director).get("/cases/inbox/").content
