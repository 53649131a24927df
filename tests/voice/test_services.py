"""HR records the employee's voice: told of the referral, their accounts, their link.

Each action through its service: who may, when, what is kept (append-only,
a later account adds), what the audit event holds (never the account's
words), and that a refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core import mail
from django.db import DatabaseError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from casefile.models import Document
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from voice.links import token_digest
from voice.models import AccountLink, AccountSource, EmployeeAccount, EmployeeTold
from voice.services import (
    account_link_issue,
    account_link_issue_shown,
    account_record,
    employee_told_record,
)

from ..casefile.documents import PDF
from ..workflow.steps import Story, fresh, refused

pytestmark = pytest.mark.django_db

TEXT = "I asked for help twice before handover and nobody came."
YESTERDAY = dt.date.today() - dt.timedelta(days=1)


def _told(case: Any, hr: Any, **kw: Any) -> Any:
    return employee_told_record(
        case_id=case.pk, actor=hr, **{"told_on": YESTERDAY, "method": "in_person", **kw}
    )


# --- told of the referral -------------------------------------------------------------


def test_hr_records_that_the_employee_was_told_and_a_correction_keeps_the_first(
    cast: Any, story: Story
) -> None:
    case = story.panel()
    _told(case, cast.hr)
    after = _told(case, cast.hr, told_on=dt.date.today(), method="phone")

    rows = list(EmployeeTold.objects.filter(case=case).order_by("id"))
    assert [(r.told_on, r.method) for r in rows] == [
        (YESTERDAY, "in_person"),
        (dt.date.today(), "phone"),
    ]
    assert after.version == fresh(case).version == case.version + 2
    last = AuditEvent.objects.filter(case=case).order_by("-id").first()
    assert last is not None
    assert (last.action, last.payload["corrects"]) == ("record_employee_told", rows[0].pk)


def test_a_told_row_is_never_changed(cast: Any, story: Story) -> None:
    case = story.panel()
    _told(case, cast.hr)
    row = EmployeeTold.objects.get(case=case)
    with pytest.raises(ValueError, match="never changed"):
        row.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        EmployeeTold.objects.filter(pk=row.pk).update(method="letter")


@pytest.mark.parametrize(
    ("told_on", "method", "field"),
    [
        (dt.date.today() + dt.timedelta(days=1), "phone", "told_on"),
        (None, "phone", "told_on"),
        (YESTERDAY, "carrier_pigeon", "method"),
    ],
)
def test_a_bad_told_record_names_the_field(
    cast: Any, story: Story, told_on: Any, method: str, field: str
) -> None:
    case = story.panel()
    exc = refused(
        ValidationFailed,
        employee_told_record,
        case_id=case.pk,
        actor=cast.hr,
        told_on=told_on,
        method=method,
    )
    assert isinstance(exc, ValidationFailed)
    assert set(exc.errors) == {field}


def test_only_hr_records_the_employees_voice(cast: Any, story: Story) -> None:
    case = story.panel()
    told = {"case_id": case.pk, "told_on": YESTERDAY, "method": "phone"}
    refused(NotAllowed, employee_told_record, actor=cast.manager, **told)
    refused(NotFound, employee_told_record, actor=cast.governance, **told)
    refused(
        NotAllowed,
        account_record,
        case_id=case.pk,
        actor=cast.director,
        source="meeting",
        text=TEXT,
        meeting_on=YESTERDAY,
    )
    refused(NotAllowed, account_link_issue, case_id=case.pk, actor=cast.manager)


def test_nothing_is_recorded_after_the_panel_decided(cast: Any, story: Story) -> None:
    case = story.signoff()
    told = {"case_id": case.pk, "told_on": YESTERDAY, "method": "phone"}
    refused(Conflict, employee_told_record, actor=cast.hr, **told)
    refused(
        Conflict,
        account_record,
        case_id=case.pk,
        actor=cast.hr,
        source="meeting",
        text=TEXT,
        meeting_on=YESTERDAY,
    )
    refused(Conflict, account_link_issue, case_id=case.pk, actor=cast.hr)


# --- the account, recorded by HR ---------------------------------------------------------


def test_an_account_typed_from_a_meeting_is_kept_and_its_words_stay_out_of_the_log(
    cast: Any, story: Story
) -> None:
    case = story.informal()
    account_record(
        case_id=case.pk, actor=cast.hr, source="meeting", text=f"  {TEXT} ", meeting_on=YESTERDAY
    )
    account = EmployeeAccount.objects.get(case=case)
    assert (account.source, account.text, account.meeting_on, account.recorded_by) == (
        AccountSource.MEETING,
        TEXT,
        YESTERDAY,
        cast.hr,
    )
    event = AuditEvent.objects.filter(case=case, action="record_account").get()
    assert event.payload["text_sha256"] == hashlib.sha256(TEXT.encode()).hexdigest()
    assert TEXT not in str(event.payload)
    assert TEXT not in event.reason


def test_an_uploaded_account_is_a_checked_case_document_for_hr_and_the_panel(
    cast: Any, story: Story
) -> None:
    case = story.panel()
    account_record(
        case_id=case.pk, actor=cast.hr, source="upload", file_name="account.pdf", file_data=PDF
    )
    account_record(
        case_id=case.pk, actor=cast.hr, source="meeting", text=TEXT, meeting_on=YESTERDAY
    )
    first, second = EmployeeAccount.objects.filter(case=case).order_by("id")
    assert first.document is not None
    assert second.document is None
    document = Document.objects.get(case=case)
    assert (document.audience, document.kind) == ("panel", "statement")
    assert AuditEvent.objects.filter(case=case, action="document_uploaded").count() == 1


def test_a_program_uploaded_as_the_account_is_refused_and_nothing_is_kept(
    cast: Any, story: Story
) -> None:
    case = story.panel()
    exc = refused(
        ValidationFailed,
        account_record,
        case_id=case.pk,
        actor=cast.hr,
        source="upload",
        file_name="account.pdf",
        file_data=b"MZ\x90\x00" + b"\x00" * 64,
    )
    assert isinstance(exc, ValidationFailed)
    assert set(exc.errors) == {"file"}
    assert not Document.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"source": "meeting", "text": "", "meeting_on": YESTERDAY}, {"text"}),
        ({"source": "meeting", "text": TEXT, "meeting_on": None}, {"meeting_on"}),
        ({"source": "upload"}, {"file"}),
        ({"source": "link", "text": TEXT}, {"source"}),
    ],
)
def test_a_bad_account_names_its_fields(
    cast: Any, story: Story, kwargs: dict[str, Any], fields: set[str]
) -> None:
    case = story.panel()
    exc = refused(ValidationFailed, account_record, case_id=case.pk, actor=cast.hr, **kwargs)
    assert isinstance(exc, ValidationFailed)
    assert set(exc.errors) == fields


# --- the link ---------------------------------------------------------------------------


def test_issuing_a_link_keeps_only_its_hash_and_emails_the_employee_only(
    cast: Any, story: Story, employee: Any, django_capture_on_commit_callbacks: Any
) -> None:
    employee.email = "sam.employee@example.nhs.uk"
    employee.save()
    case = story.panel()
    with django_capture_on_commit_callbacks(execute=True):
        issued = account_link_issue_shown(case_id=case.pk, actor=cast.hr)
    token = issued.url.rstrip("/").rsplit("/", 1)[1]
    link = AccountLink.objects.get(case=case)
    assert link.token_hash == token_digest(token)
    assert token not in str(AccountLink.objects.filter(case=case).values().get())
    assert issued.emailed
    assert link.emailed
    assert [m.to for m in mail.outbox] == [["sam.employee@example.nhs.uk"]]
    assert issued.url in mail.outbox[0].body
    assert case.summary not in mail.outbox[0].body
    event = AuditEvent.objects.filter(case=case, action="issue_account_link").get()
    assert token not in str(event.payload)
    days = (link.expires_at - link.issued_at).days
    assert days == 10


def test_without_an_email_address_nothing_is_sent(
    cast: Any, story: Story, django_capture_on_commit_callbacks: Any
) -> None:
    case = story.panel()
    with django_capture_on_commit_callbacks(execute=True):
        issued = account_link_issue_shown(case_id=case.pk, actor=cast.hr)
    assert issued.url
    assert not issued.emailed
    assert mail.outbox == []


def test_a_newer_link_revokes_the_older_and_hr_may_withdraw_the_open_one(
    cast: Any, story: Story
) -> None:
    case = story.panel()
    account_link_issue(case_id=case.pk, actor=cast.hr)
    account_link_issue(case_id=case.pk, actor=cast.hr)
    older, newer = AccountLink.objects.filter(case=case).order_by("id")
    assert (older.revoked_why, newer.revoked_at) == ("replaced", None)
    account_link_issue(case_id=case.pk, actor=cast.hr, withdraw=True)
    newer.refresh_from_db()
    assert newer.revoked_why == "withdrawn"
    assert newer.revoked_at is not None
    assert newer.revoked_at <= timezone.now()
    refused(Conflict, account_link_issue, case_id=case.pk, actor=cast.hr, withdraw=True)
