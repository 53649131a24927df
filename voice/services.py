"""Recording the employee's voice on a case (docs/employee-account.md, ADR 0027).

HR's three actions go through the case engine like every other
(``workflow.engine.case_activity``: lock, rule check, version bump, one audit
event) and leave the flow where it is:

* ``employee_told_record``: the employee was told of the referral (when, how);
* ``account_record``: their account, typed from a meeting or uploaded (the
  document goes through ``casefile.services.document_add``: checked by its
  bytes, stored and audited as any case document, read by HR and the panel);
* ``account_link_issue``: a single-use link for the employee to give it
  themselves, emailed to their address on record when there is one.

``account_submit_by_link`` is the employee's own door: nobody is logged in,
so the link is the authority. It records the account, uses the link up,
appends an audit event with no actor, and tells the case's owner.

An audit event never holds the account's words (the path is read by people
``AccountVisible`` does not admit): ids, the source and a SHA-256 of the text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.types import Actor
from audit.services import audit_record
from casefile.models import DocumentKind
from casefile.services import document_add, max_document_bytes
from core import events
from core.documents import DOCX, JPEG, PDF, PNG, DocumentRefused, document_check
from core.errors import Conflict, NotFound, ValidationFailed
from workflow.access import FileAudience
from workflow.engine import case_activity, lock_case
from workflow.models import Case
from workflow.rules import Action
from workflow.services.validation import Errors

from .actions import STAGES_BEFORE_DECISION
from .events import AccountReceived
from .links import LinkState, link_state, token_digest, token_make, token_parse
from .models import (
    ACCOUNT_TEXT_MAX,
    AccountLink,
    AccountSource,
    EmployeeAccount,
    EmployeeTold,
    ToldMethod,
)

logger = logging.getLogger(__name__)

# The audit log's name for an account the employee sent by their link
# (registered in ``VoiceConfig.ready``).
ACCOUNT_RECEIVED_EVENT = "account_received_by_link"
EVENT_TYPES = ((ACCOUNT_RECEIVED_EVENT, "The employee sent their account by their link"),)
# The title of an account's document in the case file: says what it is, never what it says.
ACCOUNT_TITLE = "The employee's account"
# What the employee may upload through their link: a document or a photo of one.
LINK_UPLOAD_TYPES = frozenset({PDF, DOCX, PNG, JPEG})
LINK_UPLOAD_TEXT = "a PDF, a Word document (.docx) or a photo (PNG or JPEG)"
HR_SOURCES = [(s.value, str(s.label)) for s in (AccountSource.MEETING, AccountSource.UPLOAD)]
EARLIEST = dt.date(2000, 1, 1)


def _text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest() if text else ""


def _past_date(errors: Errors, field: str, value: Any, what: str) -> dt.date | None:
    """A day that has happened: today or before (and not before 2000)."""
    if not isinstance(value, dt.date):
        errors.add(field, f"Give the date {what}.")
        return None
    day = value.date() if isinstance(value, dt.datetime) else value
    if day > timezone.localdate():
        errors.add(field, f"The date {what} cannot be in the future.")
    elif day < EARLIEST:
        errors.add(field, f"Give the date {what} as day/month/year, 2000 or later.")
    return day


# --- told of the referral --------------------------------------------------------------


def employee_told_record(
    *,
    case_id: int,
    actor: Actor,
    told_on: Any,
    method: str,
    expected_version: int | None = None,
) -> Case:
    """HR records that the employee was told of the referral, when and how.
    Recording it again corrects it: the earlier row stays, the newest stands."""
    with case_activity(
        case_id=case_id,
        actor=actor,
        action=Action.RECORD_EMPLOYEE_TOLD,
        expected_version=expected_version,
    ) as act:
        errors = Errors()
        day = _past_date(errors, "told_on", told_on, "they were told")
        method = errors.require_choice("method", method, ToldMethod.choices, "how they were told")
        errors.raise_if_any()
        if day is None:  # unreachable: refused above; narrows the type
            raise ValidationFailed({"told_on": ["Give the date they were told."]})
        corrects = EmployeeTold.objects.filter(case=act.case).values_list("pk", flat=True).first()
        told = EmployeeTold.objects.create(
            case=act.case,
            told_on=day,
            method=method,
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        act.payload = {
            "told_id": told.pk,
            "told_on": day.isoformat(),
            "method": method,
            "corrects": corrects,
        }
    return act.case


# --- the account, recorded by HR ---------------------------------------------------------


def account_record(
    *,
    case_id: int,
    actor: Actor,
    source: str,
    text: str = "",
    meeting_on: Any = None,
    file_name: str = "",
    file_data: bytes | None = None,
    expected_version: int | None = None,
) -> Case:
    """HR adds the employee's account: typed from a meeting (the text and the
    meeting's date) or uploaded (a document, with an optional covering note).
    A later account adds to the earlier ones; none is ever replaced."""
    with case_activity(
        case_id=case_id,
        actor=actor,
        action=Action.RECORD_ACCOUNT,
        expected_version=expected_version,
    ) as act:
        errors = Errors()
        source = errors.require_choice(
            "source", source, HR_SOURCES, "where the employee's account comes from"
        )
        day = None
        if source == AccountSource.MEETING:
            text = errors.require_text(
                "text", text, "the employee's account", max_length=ACCOUNT_TEXT_MAX
            )
            day = _past_date(errors, "meeting_on", meeting_on, "of the meeting")
        else:
            text = (text or "").strip()
            if len(text) > ACCOUNT_TEXT_MAX:
                errors.add("text", f"Keep the note under {ACCOUNT_TEXT_MAX} characters.")
            if source == AccountSource.UPLOAD and not file_data:
                errors.add("file", "Choose the document that holds the employee's account.")
        errors.raise_if_any()
        document = None
        if source == AccountSource.UPLOAD and file_data:
            document = document_add(
                case_id=act.case.pk,
                actor=actor,
                title=ACCOUNT_TITLE,
                kind=DocumentKind.STATEMENT,
                audience=FileAudience.PANEL,
                name=file_name or "account",
                data=file_data,
            )
        account = EmployeeAccount.objects.create(
            case=act.case,
            source=source,
            text=text,
            meeting_on=day,
            document=document,
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        act.payload = {
            "account_id": account.pk,
            "source": source,
            "document": document.pk if document is not None else None,
            "text_sha256": _text_sha256(text),
        }
    return act.case


# --- the single-use link -------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedLink:
    """What issuing a link hands back once: the raw link (never stored), when
    it expires, and whether it was emailed. ``url`` is "" when HR withdrew the
    open link without issuing a new one."""

    case: Case
    url: str
    expires_at: dt.datetime | None
    emailed: bool


def link_url(token: str) -> str:
    """The employee's page for ``token``, absolute (``FTP_SITE_URL``)."""
    return f"{settings.FTP_SITE_URL}{reverse('account:page', args=[token])}"


def account_link_issue_shown(
    *, case_id: int, actor: Actor, withdraw: bool = False, expected_version: int | None = None
) -> IssuedLink:
    """HR issues the employee a new single-use link (any open one is revoked:
    only the newest works), or with ``withdraw`` revokes the open one only.

    The link expires after ``FTP_ACCOUNT_LINK_DAYS`` days. When the
    employee's record has an email address, the link is emailed there (and
    nowhere else) once the action has committed; either way it is handed
    back here once, for the HR adviser's page. Only its SHA-256 is kept.
    """
    with case_activity(
        case_id=case_id,
        actor=actor,
        action=Action.ISSUE_ACCOUNT_LINK,
        expected_version=expected_version,
    ) as act:
        case = act.case
        now = timezone.now()
        why = AccountLink.Revoked.WITHDRAWN if withdraw else AccountLink.Revoked.REPLACED
        revoked = AccountLink.objects.filter(
            case=case, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now, revoked_why=why)
        if withdraw and not revoked:
            raise Conflict("There is no open link to withdraw.")
        url, expires_at, address = "", None, ""
        if not withdraw:
            token = token_make(int(case.trust_id or 0))
            address = _employee_email(case)
            expires_at = now + dt.timedelta(days=int(settings.FTP_ACCOUNT_LINK_DAYS))
            link = AccountLink.objects.create(
                case=case,
                token_hash=token_digest(token),
                issued_by=actor,
                issued_at=now,
                expires_at=expires_at,
                emailed=bool(address),
            )
            url = link_url(token)
            act.payload = {
                "link_id": link.pk,
                "expires_at": expires_at.isoformat(),
                "emailed": bool(address),
                "revoked": revoked,
            }
        else:
            act.payload = {"withdrawn": revoked}
    if address:
        _email_on_commit(address, url, expires_at)
    return IssuedLink(case=act.case, url=url, expires_at=expires_at, emailed=bool(address))


def account_link_issue(
    *, case_id: int, actor: Actor, withdraw: bool = False, expected_version: int | None = None
) -> Case:
    """``account_link_issue_shown`` as an action service (``ACTION_SERVICES``):
    the case only. The API answers with this; the raw link goes to the
    employee's email and, on the web, to the issuing adviser's page once."""
    return account_link_issue_shown(
        case_id=case_id, actor=actor, withdraw=withdraw, expected_version=expected_version
    ).case


def _employee_email(case: Case) -> str:
    employee = case.employee
    return (employee.email or "").strip() if employee is not None else ""


LINK_EMAIL_SUBJECT = "Your account: a link from your HR team"
LINK_EMAIL_BODY = (
    "Your HR team has asked for your own account, in your own words, before any "
    "decision is made.\n\n"
    "Open this link to give it (it works once, until {expires}):\n{url}\n\n"
    "You do not need to sign in. If the link does not work, contact your HR team.\n"
)


def _email_on_commit(address: str, url: str, expires_at: dt.datetime | None) -> None:
    """Email the link to the employee's address once the issue has committed.

    Direct ``django.core.mail`` rather than the notifications outbox: the
    outbox delivers to product users, and the employee has no login. A
    failed send is logged (without the link) and changes nothing: HR saw
    the link on their page and can hand it over (ADR 0027)."""
    expires = timezone.localtime(expires_at).strftime("%-d %B %Y") if expires_at else ""
    body = LINK_EMAIL_BODY.format(url=url, expires=expires)

    def send() -> None:
        try:
            send_mail(LINK_EMAIL_SUBJECT, body, None, [address])
        except Exception:  # any mail backend error: logged, HR has the link
            logger.exception("The employee's account link could not be emailed.")

    transaction.on_commit(send)


# --- the employee's own door ------------------------------------------------------------


class LinkNotWorking(NotFound):
    """The link opens nothing: unknown, used, expired or revoked (``state``).
    The page says the same to each; only the status differs (410 for used
    or expired), and nothing says whether a case exists."""

    def __init__(self, state: str) -> None:
        super().__init__("This link no longer works. Please contact your HR team.")
        self.state = state


UNKNOWN = "unknown"


def account_link_open(token: str) -> AccountLink:
    """The live link ``token`` opens, with its case, or ``LinkNotWorking``.
    Call within the token's trust (``links.token_parse``)."""
    parsed = token_parse(token)
    if parsed is None:
        raise LinkNotWorking(UNKNOWN)
    link = AccountLink.objects.select_related("case").filter(token_hash=parsed.digest).first()
    return _live(link, parsed.digest)


def _live(link: AccountLink | None, digest: str) -> AccountLink:
    # The lookup is by the digest's unique index; the comparison, in constant
    # time, is a guard that the row found is the one asked for.
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        raise LinkNotWorking(UNKNOWN)
    state = link_state(
        used_at=link.used_at,
        revoked_at=link.revoked_at,
        expires_at=link.expires_at,
        case_before_decision=link.case.stage in STAGES_BEFORE_DECISION
        and link.case.destroyed_at is None,
        now=timezone.now(),
    )
    if state != LinkState.LIVE:
        raise LinkNotWorking(state)
    return link


def account_submit_by_link(
    *, token: str, text: str, file_name: str = "", file_data: bytes | None = None
) -> EmployeeAccount:
    """The employee sends their account through their link: their words, a
    document (PDF, Word or a photo, content-checked), or both.

    The link is used up by it, in the same transaction: a second submission
    is refused. A refused input (no text and no file, a file of the wrong
    kind) leaves the link open, so the employee can try again. The audit
    event has no actor (the link is the authority) and names the link and
    the account by id, never the text; the case's owner is told.
    """
    parsed = token_parse(token)
    if parsed is None:
        raise LinkNotWorking(UNKNOWN)
    with transaction.atomic():
        found = (
            AccountLink.objects.select_for_update(of=("self",))
            .select_related("case", "issued_by")
            .filter(token_hash=parsed.digest)
            .first()
        )
        link = _live(found, parsed.digest)
        case = lock_case(link.case_id)
        link.case = case
        _live(link, parsed.digest)  # again under the case's lock: the stage may have moved
        text, checked_name = _link_input(text, file_name, file_data)
        now = timezone.now()
        document = None
        if file_data:
            document = document_add(
                case_id=case.pk,
                actor=link.issued_by,
                title=ACCOUNT_TITLE,
                kind=DocumentKind.STATEMENT,
                audience=FileAudience.PANEL,
                name=checked_name,
                data=file_data,
                audit_reason="Sent by the employee through their account link.",
            )
        account = EmployeeAccount.objects.create(
            case=case,
            source=AccountSource.LINK,
            text=text,
            document=document,
            recorded_by=None,
            link=link,
            recorded_at=now,
        )
        link.used_at = now
        link.save(update_fields=["used_at"])
        case.version += 1
        case.updated_at = now
        case.save(update_fields=["version", "updated_at"])
        audit_record(
            case=case,
            actor=None,
            action=ACCOUNT_RECEIVED_EVENT,
            from_stage=case.stage,
            to_stage=case.stage,
            payload={
                "link_id": link.pk,
                "account_id": account.pk,
                "document": document.pk if document is not None else None,
                "text_sha256": _text_sha256(text),
            },
        )
        events.publish(AccountReceived(case=case, account_id=account.pk))
    return account


def _link_input(text: str, file_name: str, file_data: bytes | None) -> tuple[str, str]:
    """The employee's words and their file's name, or ``ValidationFailed``."""
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    if len(text) > ACCOUNT_TEXT_MAX:
        errors["text"] = [f"Keep your account under {ACCOUNT_TEXT_MAX} characters."]
    if "\x00" in text:
        errors["text"] = ["Your account cannot hold control characters."]
    if not text and not file_data:
        errors["text"] = ["Write your account, or choose a file that holds it."]
    name = file_name or "account"
    if file_data:
        try:
            checked = document_check(name=name, data=file_data, max_bytes=max_document_bytes())
        except DocumentRefused as exc:
            errors["file"] = [str(exc)]
        else:
            if checked.content_type not in LINK_UPLOAD_TYPES:
                errors["file"] = [f"Choose {LINK_UPLOAD_TEXT}."]
    if errors:
        raise ValidationFailed(errors)
    return text, name


__all__ = [
    "account_link_issue",
    "account_link_issue_shown",
    "account_link_open",
    "account_record",
    "account_submit_by_link",
    "employee_told_record",
]
