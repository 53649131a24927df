"""The subject access pack: what it holds, who may produce it, and how it is recorded."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent, EventType
from core.errors import NotAllowed, ValidationFailed
from notifications.models import Delivery, Kind, Notification
from panels.services import panel_declare
from records import subject_access_cases
from records.retention import case_destroy
from records.subject_access import subject_access_pack
from records.subject_access_collect import FILES, SUBJECT_ACCESS_EXPORT, subject_access_collect
from records.subject_access_redact import WITHHELD_CASE, WITHHELD_CONFLICT, Redaction
from staff.ethnicity import EthnicCategory
from staff.models import Employee
from staff.services import employee_special_category_access_record
from workflow.models import Case
from workflow.selectors import case_get_for
from workflow.services import case_triage, referral_submit

from ..factories import EmployeeFactory, make_user, referral_kwargs
from ..formal.steps import formal_concluded
from ..workflow.steps import RATIONALE, VIEW_COMMENT, Story
from .packs import every_text, files, header, pdf_text, rows
from .world import LATER, at

pytestmark = pytest.mark.django_db

ORDER = ["cover.pdf", *FILES]


def produce(actor: Any, employee: Any, reference: str = "SAR-2026-014") -> Any:
    return subject_access_pack(
        actor=actor, staff_number=employee.staff_number, request_reference=reference
    )


def test_the_pack_holds_the_case_its_path_decisions_notifications_and_access_log(
    story: Story, people: Any, employee: Any
) -> None:
    case = story.formal()
    case_get_for(people.director, case.pk)  # a decision-maker is shown the ethnic category
    employee_special_category_access_record(actor=people.hr, employee=employee)

    pack = produce(people.hr, employee)

    assert list(files(pack.content)) == ORDER
    label = str(EthnicCategory(employee.ethnic_category).label)
    [row] = rows(pack.content, "cases.csv")
    assert (row["reference"], row["staff_number"], row["name"]) == (
        case.reference,
        employee.staff_number,
        employee.name,
    )
    assert row["ethnic_category"] == label  # their own: shown to them
    assert row["summary"] == referral_kwargs(employee)["summary"]
    assert row["referred_by"] == "Maya Marlowe (Referring manager)"
    assert row["stage"] == "Formal investigation"

    history = rows(pack.content, "case_history.csv")
    moves = [(h["from_stage"], h["to_stage"]) for h in history if h["entry"] == "action"]
    assert ("Awaiting sign-off", "Formal investigation") in moves
    steps = [h["what"] for h in history if h["entry"] == "step"]
    # The formal process's investigation is a step of the employee's case too.
    assert steps == [
        "Triage",
        "Convene the panel",
        "Panel decision",
        "Sign-off",
        "Formal investigation",
    ]
    triaged = [h["by"] for h in history if h["entry"] == "action" and h["what"] == "Triage"]
    assert triaged == ["Hana Holloway (HR adviser)"]

    decisions = {d["kind"]: d for d in rows(pack.content, "decisions.csv")}
    decided = decisions["Panel decision"]
    assert (decided["outcome"], decided["reasons"], decided["by"]) == (
        "Formal investigation",
        RATIONALE,
        "Priya Penrose (Panel chair)",
    )
    assert decisions["Sign-off"]["by"] == "Dina Drummond (Decision-maker)"
    assert decisions["Sign-off"]["outcome"] == "approved"
    assert decisions["Panel member's view (round 0)"]["reasons"] == VIEW_COMMENT
    assert decisions["Just culture guide"]["just_culture_guide"].startswith("G (q1a: no")

    sent = Delivery.objects.filter(notification__case=case).count()
    assert len(rows(pack.content, "notifications.csv")) == sent > 0
    assert {n["case_reference"] for n in rows(pack.content, "notifications.csv")} == {
        case.reference
    }

    access = rows(pack.content, "access_log.csv")
    assert [(a["who"], a["field"], a["channel"], a["case_reference"]) for a in access] == [
        ("Dina Drummond (Decision-maker)", "employee_ethnic_category", "web", case.reference),
        ("Hana Holloway (HR adviser)", "ethnic_category", "admin", ""),
    ]


def test_the_pack_is_recorded_with_its_counts_and_sha256_and_no_names(
    story: Story, people: Any, employee: Any
) -> None:
    case = story.informal()
    pack = produce(people.hr, employee, reference="SAR-7")

    event = AuditEvent.objects.get(action=SUBJECT_ACCESS_EXPORT)
    assert event.actor == people.hr
    assert event.payload == {
        "staff_number": employee.staff_number,
        "request_reference": "SAR-7",
        "counts": pack.counts,
        "sha256": hashlib.sha256(pack.content).hexdigest(),
    }
    assert employee.name not in json.dumps(event.payload)
    assert event.type_label == "Subject access pack produced"
    # Showing the employee their own ethnic category is recorded, as any showing is.
    showings = AuditEvent.objects.filter(
        action=EventType.VIEW_SPECIAL_CATEGORY, payload__channel="subject_access"
    )
    assert {(e.case_id, e.payload["field"]) for e in showings} == {
        (case.pk, "employee_ethnic_category"),
        (None, "ethnic_category"),
    }
    # A later pack lists the earlier one in its access log.
    again = produce(people.hr, employee, reference="SAR-8")
    produced = [a for a in rows(again.content, "access_log.csv") if a["event"] == event.type_label]
    assert [a["who"] for a in produced] == ["Hana Holloway (HR adviser)"]


def test_an_employee_with_nothing_held_gets_a_pack_saying_so(people: Any) -> None:
    nobody = EmployeeFactory(name="Nadia Nobody")
    pack = produce(people.hr, nobody)

    assert pack.counts == {name: (1 if name == "employee_record.csv" else 0) for name in FILES}
    for name, columns in FILES.items():
        assert header(pack.content, name) == list(columns)
    cover = pdf_text(files(pack.content)["cover.pdf"])
    assert "holds no cases, notifications or access-log entries about you" in cover
    assert "Nadia Nobody (staff number" in cover
    assert "Request reference: SAR-2026-014" in cover


@pytest.mark.parametrize(
    ("staff_number", "reference", "fields"),
    [
        ("NO-SUCH", "SAR-1", {"staff_number"}),
        ("", "SAR-1", {"staff_number"}),
        ("{known}", "   ", {"request_reference"}),
        ("{known}", "R" * 65, {"request_reference"}),
        ("NO-SUCH", "", {"staff_number", "request_reference"}),
    ],
)
def test_bad_input_names_each_field_and_records_nothing(
    people: Any, employee: Any, staff_number: str, reference: str, fields: set[str]
) -> None:
    number = staff_number.format(known=employee.staff_number)
    with pytest.raises(ValidationFailed) as raised:
        subject_access_pack(actor=people.hr, staff_number=number, request_reference=reference)
    assert set(raised.value.errors) == fields
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["manager", "panel_a", "director", "governance", "outsider"])
def test_only_hr_advisers_produce_a_pack(people: Any, employee: Any, who: str) -> None:
    with pytest.raises(NotAllowed):
        produce(getattr(people, who), employee)
    assert not AuditEvent.objects.exists()


def test_an_hr_adviser_never_produces_their_own_pack(people: Any) -> None:
    own = EmployeeFactory(user=people.hr)
    with pytest.raises(NotAllowed):
        produce(people.hr, own)
    colleague = make_user("harriet.hr", Role.HR)
    assert produce(colleague, own).counts["employee_record.csv"] == 1


def test_notifications_to_their_own_login_about_others_cases_name_no_case(
    story: Story, people: Any, employee: Any
) -> None:
    # The employee is also a manager with a login, who referred someone else.
    login = make_user("sam.subject", Role.MANAGER)
    employee.user = login
    employee.save(update_fields=["user"])
    colleague: Employee = EmployeeFactory.create(name="Colin Colleague")
    theirs = referral_submit(actor=login, **referral_kwargs(colleague))
    case_triage(case_id=theirs.pk, actor=people.hr, route="informal")  # tells the manager
    story.submitted()

    pack = produce(people.hr, employee)

    own = [
        n for n in rows(pack.content, "notifications.csv") if n["addressed_to"].endswith("(you)")
    ]
    assert own
    assert {n["case_reference"] for n in own} == {WITHHELD_CASE}
    text = every_text(pack.content)
    assert theirs.reference not in text
    assert "Colin Colleague" not in text
    assert colleague.staff_number not in text
    [record] = rows(pack.content, "employee_record.csv")
    assert record["login"] == "sam.subject"
    assert Notification.objects.filter(recipient=login).exists()


@pytest.mark.parametrize("json_contains", [True, False], ids=["postgresql", "sqlite-like"])
def test_a_bundle_of_due_steps_naming_their_case_is_listed_without_the_others(
    story: Story, people: Any, employee: Any, monkeypatch: Any, json_contains: bool
) -> None:
    # Without JSON containment (SQLite) the bundles are read and checked in Python.
    monkeypatch.setattr(connection.features, "supports_json_field_contains", json_contains)
    mine = story.submitted()
    colleague: Employee = EmployeeFactory.create(name="Colin Colleague")
    theirs = referral_submit(actor=people.manager, **referral_kwargs(colleague))
    due = {"kind": "reminder", "step": "triage", "due_on": "2026-12-08"}
    bundle = Notification.objects.create(
        event_key="due-steps-test",
        recipient=people.manager,
        kind=Kind.DUE_STEPS,
        items=[{"case": theirs.pk, **due}, {"case": mine.pk, **due}],
        created_at=timezone.now(),
    )

    pack = produce(people.hr, employee)

    [row] = [
        n for n in rows(pack.content, "notifications.csv") if n["kind"] == bundle.get_kind_display()
    ]
    assert row["case_reference"] == f"{mine.reference}; {WITHHELD_CASE}"
    assert row["addressed_to"] == "Maya Marlowe (Referring manager)"
    assert theirs.reference not in every_text(pack.content)


def test_a_members_conflict_reason_is_withheld(story: Story, people: Any, employee: Any) -> None:
    case = story.just_convened()
    reason = "The employee is my neighbour."
    panel_declare(case_id=case.pk, actor=people.panel_b, no_conflict=False, reason=reason)

    pack = produce(people.hr, employee)

    assert reason not in every_text(pack.content)
    declared = [h for h in rows(pack.content, "case_history.csv") if h["reason"]]
    assert [h["reason"] for h in declared if "conflict" in h["what"]] == [WITHHELD_CONFLICT]


def test_free_text_never_becomes_a_formula(people: Any, employee: Any) -> None:
    summary = '=HYPERLINK("http://evil.example","click")'
    referral_submit(actor=people.manager, **referral_kwargs(employee, summary=summary))
    pack = produce(people.hr, employee)
    assert rows(pack.content, "cases.csv")[0]["summary"] == "'" + summary


def collect_queries(actor: Any, employee: Any) -> tuple[int, Any]:
    redaction = Redaction(subject_name=employee.name, subject_user_id=None, name_staff_in_role=True)
    with CaptureQueriesContext(connection) as queries:
        held = subject_access_collect(actor=actor, employee=employee, redaction=redaction)
    return len(queries), held


def test_reading_more_cases_costs_no_more_queries_within_a_batch(
    story: Story, people: Any, employee: Any
) -> None:
    story.formal()
    few, _ = collect_queries(people.hr, employee)
    for _ in range(4):
        story.signoff()
    more, held = collect_queries(people.hr, employee)
    assert len(held.cases) == 5
    assert more == few  # no query per case, panel, decision, notification or person


def test_the_cases_are_read_a_batch_at_a_time_in_order(
    story: Story, people: Any, employee: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(subject_access_cases, "CASE_BATCH", 2)
    for _ in range(5):
        story.informal()
    pack = produce(people.hr, employee)
    assert [c["reference"] for c in rows(pack.content, "cases.csv")] == list(
        Case.objects.order_by("submitted_at", "id").values_list("reference", flat=True)
    )


def test_the_command_produces_the_recorded_pack(
    story: Story, people: Any, employee: Any, tmp_path: Path
) -> None:
    story.informal()
    out = tmp_path / "pack.zip"
    call_command(
        "subject_access",
        staff_number=employee.staff_number,
        reference="SAR-3",
        out=str(out),
        username="hana.hr",
    )
    event = AuditEvent.objects.get(action=SUBJECT_ACCESS_EXPORT)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == event.payload["sha256"]
    assert rows(out.read_bytes(), "cases.csv")[0]["name"] == employee.name


@pytest.mark.parametrize(
    ("username", "staff_number", "message"),
    [
        ("dina.director", "{known}", "Only HR advisers"),
        ("hana.hr", "NO-SUCH", "No employee has staff number NO-SUCH."),
        ("nobody.at.all", "{known}", "No active user"),
    ],
)
def test_the_command_refuses_clearly(
    people: Any, employee: Any, tmp_path: Path, username: str, staff_number: str, message: str
) -> None:
    out = tmp_path / "pack.zip"
    with pytest.raises(CommandError, match=message):
        call_command(
            "subject_access",
            staff_number=staff_number.format(known=employee.staff_number),
            reference="SAR-3",
            out=str(out),
            username=username,
        )
    assert not out.exists()
    assert not AuditEvent.objects.filter(action=SUBJECT_ACCESS_EXPORT).exists()


def test_a_case_file_destroyed_under_retention_is_not_in_the_pack(
    people: Any, employee: Any, tmp_path: Any, settings: Any
) -> None:
    settings.FTP_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    with at(2024, 6, 3):
        gone = formal_concluded(Story(people, employee))
        kept = Story(people, employee).formal()
    with time_machine.travel(LATER):
        case_destroy(
            case_id=gone.pk,
            actor=people.hr,
            reference=gone.reference,
            reason="Six years since closure under the retention schedule.",
        )
        pack = produce(people.hr, employee)

    assert [row["reference"] for row in rows(pack.content, "cases.csv")] == [kept.reference]
    assert gone.reference not in every_text(pack.content)


def test_the_pack_holds_the_case_file_its_documents_notes_and_letters_sent(
    story: Story, people: Any, employee: Any
) -> None:
    from casefile.notes import note_add
    from casefile.services import document_add, document_version_add
    from letters.kinds import LetterKind, SentHow
    from letters.services import letter_generate, letter_record_sent

    from ..casefile.documents import PDF

    case = story.informal()
    document = document_add(
        case_id=case.pk,
        actor=people.hr,
        title="Statement of the nurse in charge",
        kind="statement",
        audience="panel",
        name="statement.pdf",
        data=PDF,
    )
    signed = PDF.replace(b"%%EOF", b"% signed\n%%EOF")
    document_version_add(
        document_id=document.pk, actor=people.hr, name="signed.pdf", data=signed, note="Signed."
    )
    note_add(case_id=case.pk, actor=people.hr, text="Rang the employee's union rep.")
    letter = letter_generate(
        case_id=case.pk,
        actor=people.hr,
        kind=LetterKind.MEETING_INVITATION,
        meeting_date=timezone.localdate() + dt.timedelta(days=7),
        meeting_time=dt.time(10, 30),
        meeting_place="Seminar Room 2",
    )
    letter_record_sent(
        letter_id=letter.pk, actor=people.hr, sent_on=timezone.localdate(), how=SentHow.HAND
    )

    pack = produce(people.hr, employee)

    listed = rows(pack.content, "case_file.csv")
    by_kind = {r["kind"]: r for r in listed}
    first = by_kind["Document (Statement), version 1"]
    second = by_kind["Document (Statement), version 2"]
    assert (first["title"], first["audience"]) == (
        "Statement of the nurse in charge",
        "HR and the panel",
    )
    assert second["text"] == "Signed."
    assert first["by"] == "Hana Holloway (HR adviser)"
    # Each version's file is in the pack, byte for byte: the old one too.
    packed = files(pack.content)
    assert packed[first["file"]] == PDF
    assert packed[second["file"]] == signed
    assert first["file"].startswith(f"case-file/{case.reference}/")
    # An HR-only note about them is theirs: listed, for HR's review before release.
    [note] = [r for r in listed if r["kind"].startswith("Case note")]
    assert (note["text"], note["audience"]) == ("Rang the employee's union rep.", "HR only")
    sent = by_kind["Letter sent (Invitation to a meeting)"]
    assert sent["text"] == f"By hand on {timezone.localdate():%Y-%m-%d}"
    # The letter's PDF is a document of the case too.
    letters = [r for r in listed if r["kind"] == "Document (Letter), version 1"]
    assert len(letters) == 1
    assert packed[letters[0]["file"]].startswith(b"%PDF-")
    cover = pdf_text(packed["cover.pdf"])
    assert "case-file/" in cover
