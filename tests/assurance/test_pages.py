"""The pages: who may open each, what a bad request gets (400 naming the
error, never a 500), the answer form with an upload, the document download,
and the governance pack's two parts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assurance.models import Answer, EvidenceDocument, Question, QuestionVersion

from ..web.pages import login
from .conftest import Q1, add_action, add_question, answer
from .test_documents import PDF_BYTES

GRID = "/assurance/grid/"
ACTIONS = "/assurance/actions/"


def answer_url(question, unit, year=2025, quarter=1) -> str:
    return f"/assurance/answer/?question={question.pk}&unit={unit.pk}&year={year}&quarter={quarter}"


@pytest.mark.parametrize(
    ("who", "grid", "questions", "actions", "new_action"),
    [
        ("hr", 200, 200, 200, 200),
        ("director", 200, 403, 200, 403),
        ("governance", 200, 403, 200, 403),
        ("manager", 403, 403, 200, 403),
        ("outsider", 403, 403, 403, 403),
    ],
)
def test_who_may_open_each_page(
    client: Client, cast, icsus, who, grid, questions, actions, new_action
):
    login(client, getattr(cast, who))
    assert client.get(GRID).status_code == grid
    assert client.get("/assurance/questions/").status_code == questions
    assert client.get(ACTIONS).status_code == actions
    assert client.get("/assurance/actions/new/").status_code == new_action


def test_the_anonymous_are_sent_to_log_in(client: Client, db):
    for url in (GRID, ACTIONS, "/assurance/questions/", "/assurance/documents/1/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"{GRID}?year=2025", "Choose both the year and the quarter"),
        (f"{GRID}?year=2025&quarter=9", "Select a valid choice"),
        (f"{GRID}?set=nope", "Select a valid choice"),
        (f"{ACTIONS}?status=lost", "Select a valid choice"),
        (f"{ACTIONS}?cursor=not-a-cursor!", "damaged or out of date"),
        (f"{ACTIONS}?unit=abc", "Select a valid choice"),
        ("/assurance/answer/?question=1&unit=1&year=1999&quarter=1", "greater than or equal"),
        ("/assurance/answer/", "This field is required"),
        ("/assurance/questions/new/?set=", "This field is required"),
    ],
)
def test_a_bad_query_is_a_400_naming_the_error(client: Client, cast, icsus, url, message):
    response = login(client, cast.hr).get(url)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_missing_things_are_404(client: Client, cast, icsus):
    login(client, cast.hr)
    question = add_question(cast)
    assert client.get("/assurance/questions/987654/").status_code == 404
    assert client.get("/assurance/actions/987654/").status_code == 404
    assert client.get("/assurance/documents/987654/").status_code == 404
    assert client.get(answer_url(question, icsus["med"].children.first())).status_code == 404
    assert client.post("/assurance/questions/987654/retire/").status_code == 404


def test_hr_adds_and_rewords_a_question_through_the_pages(client: Client, cast, icsus):
    login(client, cast.hr)
    response = client.post("/assurance/questions/new/?set=wres3", {"text": "First words"})
    assert response.status_code == 302
    question = Question.objects.get()
    edit = f"/assurance/questions/{question.pk}/"
    assert "First words" in client.get(edit).content.decode()
    bad = client.post(edit, {"text": "", "position": 1})
    assert bad.status_code == 400
    assert "Question: this is required." in bad.content.decode()
    assert client.post(edit, {"text": "Second words", "position": 1}).status_code == 302
    assert list(QuestionVersion.objects.values_list("text", flat=True).order_by("number")) == [
        "First words",
        "Second words",
    ]
    assert client.post(f"{edit}retire/", {"retire": "yes"}).status_code == 302
    question.refresh_from_db()
    assert question.retired_on is not None
    page = client.get("/assurance/questions/").content.decode()
    assert "Retired" in page
    assert "Bring back" in page


def test_an_empty_set_offers_the_starting_questions(client: Client, cast, icsus):
    login(client, cast.hr)
    assert (
        "Start from the suggested questions" in client.get("/assurance/questions/").content.decode()
    )
    assert client.post("/assurance/questions/seed/", {"set": "inclusion"}).status_code == 302
    assert Question.objects.filter(question_set="inclusion").count() == 7
    assert client.post("/assurance/questions/seed/", {"set": "nope"}).status_code == 400


def test_hr_answers_with_a_document_and_downloads_it(client: Client, cast, icsus):
    question = add_question(cast)
    url = answer_url(question, icsus["med"])
    login(client, cast.hr)
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("minutes.exe", PDF_BYTES, content_type="application/x-msdownload")
    response = client.post(
        url,
        {
            "rating": "partly",
            "evidence": "Minutes\r\nof March",
            "owner": cast.director.pk,
            "document": upload,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = Answer.objects.get()
    assert (saved.rating, saved.evidence, saved.owner) == (
        "partly",
        "Minutes\r\nof March",
        cast.director,
    )
    document = saved.document
    assert document is not None
    assert (document.name, document.content_type) == ("minutes.pdf", "application/pdf")
    download = client.get(f"/assurance/documents/{document.pk}/")
    assert download.status_code == 200
    assert download.content == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="minutes.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    grid = client.get(f"{GRID}?set=wres3&year=2025&quarter=1").content.decode()
    assert "Partly met" in grid
    # Only HR downloads evidence.
    login(client, cast.governance)
    assert client.get(f"/assurance/documents/{document.pk}/").status_code == 403


def test_a_refused_upload_is_a_400_beside_the_field(client: Client, cast, icsus):
    question = add_question(cast)
    login(client, cast.hr)
    upload = SimpleUploadedFile(
        "evidence.pdf", b"MZ\x90\x00 a program", content_type="application/pdf"
    )
    response = client.post(
        answer_url(question, icsus["med"]),
        {"rating": "met", "owner": cast.director.pk, "document": upload},
    )
    assert response.status_code == 400
    assert "The file is a Windows program" in response.content.decode()
    assert not Answer.objects.exists()
    assert not EvidenceDocument.objects.exists()


def test_a_bad_answer_form_is_a_400(client: Client, cast, icsus):
    question = add_question(cast)
    login(client, cast.hr)
    response = client.post(
        answer_url(question, icsus["med"]),
        {"rating": "brilliant", "owner": cast.outsider.pk, "evidence": "x\x00y"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select a valid choice" in body
    assert "control characters" in body


def test_hr_adds_and_edits_an_action_through_the_pages(client: Client, cast, icsus):
    login(client, cast.hr)
    form = {
        "title": "Brief every ICSU's leaders",
        "org_unit": icsus["med"].pk,
        "indicator": "wres3",
        "owner": cast.director.pk,
        "due_on": "31/03/2026",
        "status": "open",
        "committee": "People Committee",
        "you_said": "Leaders did not know the figures.",
    }
    assert client.get("/assurance/actions/new/").status_code == 200
    assert client.post("/assurance/actions/new/", form).status_code == 302
    bad = client.post("/assurance/actions/new/", {**form, "org_unit": "", "indicator": ""})
    assert bad.status_code == 400
    assert "Link the action to an ICSU" in bad.content.decode()
    bad_date = client.post("/assurance/actions/new/", {**form, "due_on": "31/02/2026"})
    assert bad_date.status_code == 400
    from assurance.models import Action

    action = Action.objects.get()
    edit = f"/assurance/actions/{action.pk}/"
    assert "Brief every" in client.get(edit).content.decode()
    assert (
        client.post(edit, {**form, "status": "done", "we_did": "Briefed all six."}).status_code
        == 302
    )
    action.refresh_from_db()
    assert (action.status, action.we_did) == ("done", "Briefed all six.")
    listed = client.get(f"{ACTIONS}?status=done").content.decode()
    assert "Briefed all six." in listed
    assert "You said:" in listed


def test_the_list_marks_overdue_actions(client: Client, cast, icsus):
    add_action(cast, due_on=dt.date(2020, 1, 1), title="Long overdue")
    body = login(client, cast.governance).get(ACTIONS).content.decode()
    assert "Long overdue" in body
    assert "(overdue)" in body


def test_the_pack_shows_the_grid_and_the_committees_actions(client: Client, cast, icsus):
    question = add_question(cast, "Panels review every referral.")
    answer(cast, question, icsus["med"], Q1, "not_met")
    add_action(cast, title="For the people committee", due_on=dt.date(2020, 1, 1))
    add_action(cast, title="For the board", committee="Trust Board", you_said="Staff asked.")
    login(client, cast.governance)
    body = client.get("/reports/governance/").content.decode()
    assert 'data-testid="pack-self-assessment"' in body
    assert "Panels review every referral." in body
    assert "Not met" in body
    assert "For the people committee" in body
    assert "Overdue" in body
    assert "For the board" not in body
    board = client.get("/reports/governance/?committee=Trust+Board").content.decode()
    assert "For the board" in board
    assert "Staff asked." in board
    assert "For the people committee" not in board
    assert client.get("/reports/governance/?committee=Nobody").status_code == 400


def test_an_old_answer_is_shown_with_the_words_it_answered(client: Client, cast, icsus):
    question = add_question(cast, "Old words")
    answer(cast, question, icsus["med"])
    login(client, cast.hr)
    edit = f"/assurance/questions/{question.pk}/"
    assert client.post(edit, {"text": "New words", "position": 1}).status_code == 302
    old = client.get(answer_url(question, icsus["med"])).content.decode()
    assert "Old words" in old
    assert "(version 1)" in old
    assert "The current wording is: New words" in old
    new = client.get(answer_url(question, icsus["sur"])).content.decode()
    assert "New words" in new
    assert "(version 2)" in new
    grid = client.get(f"{GRID}?set=wres3&year=2025&quarter=1").content.decode()
    assert "Answered wording version 1" in grid


def test_the_action_form_says_when_a_blank_field_is_needed_not_that_it_is_optional(
    client: Client, cast, icsus
):
    login(client, cast.hr)
    text = client.get("/assurance/actions/new/").content.decode()
    optional = '<span class="ftp-optional">(optional)</span>'
    for label, when in [
        ("Self-assessment question", "when the indicator is a self-assessment question"),
        ("Early-warning alert: level", "with a unit code or staff number"),
        ("Early-warning alert: unit code or manager staff number", "with a level"),
    ]:
        assert f'{label} <span class="ftp-optional">(needed {when})</span>' in text
        assert f"{label} {optional}" not in text
    assert f"ICSU {optional}" in text  # truly optional fields still say so
