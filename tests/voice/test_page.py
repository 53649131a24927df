"""The employee's own page at /account/<token>/ (web/account_link.py): no login,
single use, and nothing on it but their own case's reference, name, concern
and summary, the support on offer and a form."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from notifications.models import Kind, Notification
from voice.models import AccountLink, AccountSource, EmployeeAccount
from voice.services import LinkNotWorking, account_link_issue_shown, account_link_open
from workflow.services import referral_submit

from ..casefile.documents import PDF
from ..factories import EmployeeFactory, referral_kwargs
from ..workflow.steps import Story

pytestmark = pytest.mark.django_db

TEXT = "I asked for help twice before handover and nobody came."
GONE = "This link no longer works"


def _issue(case: Any, hr: Any) -> str:
    issued = account_link_issue_shown(case_id=case.pk, actor=hr)
    return issued.url.rstrip("/").rsplit("/", 1)[1]


def _employee() -> Any:
    return EmployeeFactory()


def _url(token: str) -> str:
    return reverse("account:page", args=[token])


def _anonymous() -> Client:
    return Client(enforce_csrf_checks=False)


def test_the_page_shows_only_the_employees_own_case(cast: Any, story: Story) -> None:
    case = story.panel()
    other = referral_submit(
        actor=cast.other_manager,
        **referral_kwargs(_employee(), summary="Another person's concern, not theirs."),
    )
    token = _issue(case, cast.hr)

    response = _anonymous().get(_url(token))

    page = response.content.decode()
    assert response.status_code == 200
    for shown in (case.reference, case.employee_name, "Conduct or behaviour", case.summary):
        assert shown in page
    for hidden in (
        other.reference,
        "Another person's concern",
        "Black or Black British",  # the employee's ethnic category
        cast.manager.username,
        cast.manager.get_full_name() or "maya.manager",
        cast.hr.username,
    ):
        assert hidden not in page
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]


def test_sending_the_account_records_it_uses_the_link_and_tells_the_owner(
    cast: Any, story: Story
) -> None:
    case = story.panel()  # triaged by cast.hr, who owns it
    token = _issue(case, cast.hr)
    client = _anonymous()

    response = client.post(_url(token), {"text": TEXT})

    assert response.status_code == 200
    assert "your account was received" in response.content.decode()
    account = EmployeeAccount.objects.get(case=case)
    assert (account.source, account.text, account.recorded_by) == (AccountSource.LINK, TEXT, None)
    link = AccountLink.objects.get(case=case)
    assert link.used_at is not None
    assert account.link == link
    event = AuditEvent.objects.filter(case=case, action="account_received_by_link").get()
    assert event.actor is None
    assert event.payload["link_id"] == link.pk
    assert TEXT not in str(event.payload)
    assert TEXT not in event.reason
    told = Notification.objects.get(case=case, kind=Kind.ACCOUNT_RECEIVED)
    assert told.recipient == cast.hr

    # Single use: a second look and a second send are both refused.
    again = client.get(_url(token))
    assert again.status_code == 410
    assert GONE in again.content.decode()
    resent = client.post(_url(token), {"text": "A second go."})
    assert resent.status_code == 410
    assert EmployeeAccount.objects.filter(case=case).count() == 1


def test_the_employee_may_send_a_document(cast: Any, story: Story) -> None:
    case = story.panel()
    token = _issue(case, cast.hr)
    upload = SimpleUploadedFile("my-account.pdf", PDF, content_type="application/pdf")

    response = _anonymous().post(_url(token), {"text": "", "file": upload})

    assert response.status_code == 200
    account = EmployeeAccount.objects.get(case=case)
    assert account.document is not None
    assert account.document.audience == "panel"


def test_bad_input_is_shown_again_and_leaves_the_link_open(cast: Any, story: Story) -> None:
    case = story.panel()
    token = _issue(case, cast.hr)
    client = _anonymous()

    empty = client.post(_url(token), {"text": "   "})
    assert empty.status_code == 400
    assert "Write your account" in empty.content.decode()
    spreadsheet = SimpleUploadedFile("rota.txt", b"just some text\n", content_type="text/plain")
    wrong = client.post(_url(token), {"text": "Typed.", "file": spreadsheet})
    assert wrong.status_code == 400
    assert "Typed." in wrong.content.decode()  # what was typed is kept
    assert not EmployeeAccount.objects.filter(case=case).exists()
    assert client.post(_url(token), {"text": TEXT}).status_code == 200


def test_an_expired_link_is_refused(cast: Any, story: Story) -> None:
    case = story.panel()
    token = _issue(case, cast.hr)
    link = AccountLink.objects.get(case=case)
    AccountLink.objects.filter(pk=link.pk).update(expires_at=link.issued_at)

    response = _anonymous().post(_url(token), {"text": TEXT})

    assert response.status_code == 410
    assert GONE in response.content.decode()
    assert not EmployeeAccount.objects.filter(case=case).exists()


def test_a_newer_link_revokes_the_older(cast: Any, story: Story) -> None:
    case = story.panel()
    older = _issue(case, cast.hr)
    newer = _issue(case, cast.hr)
    client = _anonymous()
    assert client.get(_url(older)).status_code == 404
    assert client.get(_url(newer)).status_code == 200


def test_a_link_dies_when_the_case_moves_past_the_decision(cast: Any, story: Story) -> None:
    case = story.convened()
    token = _issue(case, cast.hr)
    story.decide(case, "mediation")
    assert _anonymous().get(_url(token)).status_code == 404


def test_unknown_and_malformed_tokens_get_the_same_page(cast: Any, story: Story) -> None:
    case = story.panel()
    token = _issue(case, cast.hr)
    trust, secret = token.split(".")
    client = _anonymous()
    for other in (f"{trust}.{secret[::-1]}", "nonsense", f"999999.{secret}", "1.x"):
        response = client.get(_url(other))
        assert response.status_code == 404
        assert GONE in response.content.decode()
        assert case.reference not in response.content.decode()


def test_too_many_failed_looks_from_one_address_are_refused(cast: Any, story: Story) -> None:
    case = story.panel()
    token = _issue(case, cast.hr)
    client = _anonymous()
    for n in range(30):
        client.get(_url(f"1.{'A' * 42}{n % 10}"))
    assert client.get(_url(token)).status_code == 429


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(other=st.text(min_size=0, max_size=70))
def test_any_string_but_the_issued_token_opens_nothing(cast: Any, other: str) -> None:
    case = Story(cast, EmployeeFactory()).panel()
    token = _issue(case, cast.hr)
    if other == token:
        return
    with pytest.raises(LinkNotWorking):
        account_link_open(other)
    assert account_link_open(token).case_id == case.pk
