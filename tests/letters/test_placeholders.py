"""A template is checked when saved: every unknown placeholder, every one its
kind may not use and every unbalanced brace is refused, named; the default
wording passes; filling never reads a value as a token."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from letters.admin import LetterTemplateForm
from letters.defaults import TEMPLATES
from letters.kinds import LetterKind
from letters.models import LetterTemplate
from letters.placeholders import ALLOWED, EVERY, fill, paragraphs, template_errors

INVITE = LetterKind.MEETING_INVITATION
BODY = "Dear {employee_name},\n\nSee you on {meeting_date}.\n\n{support}"


@pytest.mark.parametrize("kind", LetterKind.values)
def test_the_default_wording_of_every_kind_passes_its_own_checks(kind: str) -> None:
    _title, subject, body = TEMPLATES[kind]
    assert template_errors(kind, subject) == []
    assert template_errors(kind, body, needs_support=True) == []
    assert body.rstrip().endswith("{support}")


def test_the_invitation_says_the_right_to_be_accompanied() -> None:
    body = TEMPLATES[INVITE][2]
    assert "trade union representative" in body
    assert "workplace colleague" in body
    for token in ("{meeting_date}", "{meeting_time}", "{meeting_place}", "{hr_contact_name}"):
        assert token in body


def test_the_formal_notice_says_it_is_not_a_finding() -> None:
    assert "not a finding" in TEMPLATES[LetterKind.FORMAL_INVESTIGATION_NOTICE][2]


def test_an_unknown_placeholder_is_named() -> None:
    errors = template_errors(INVITE, "Dear {employee_nmae},")
    assert len(errors) == 1
    assert errors[0].startswith("{employee_nmae} is not a placeholder.")


def test_a_placeholder_of_another_kind_is_named_with_the_kind() -> None:
    errors = template_errors(INVITE, "The outcome is {outcome}.")
    assert errors == [
        "{outcome} cannot be used in the invitation to a meeting letter. Use one of: "
        + ", ".join(f"{{{n}}}" for n in ALLOWED[INVITE])
        + "."
    ]


@pytest.mark.parametrize(
    "text",
    ["Dear {employee_name,", "Dear employee_name},", "Dear {{employee_name}}", "a } b", "{"],
)
def test_an_unbalanced_brace_is_refused_showing_where(text: str) -> None:
    errors = template_errors(INVITE, text)
    assert any(e.startswith("Unbalanced brace") for e in errors), errors


def test_a_body_without_the_support_signposting_is_refused() -> None:
    assert template_errors(INVITE, "Dear {employee_name},", needs_support=True) == [
        "The letter must end with {support}: the trust's support signposting."
    ]


def test_the_model_refuses_a_bad_template_field_by_field() -> None:
    template = LetterTemplate(kind=INVITE, title="t", subject="About {outcome}", body="Hi {x}")
    with pytest.raises(ValidationError) as caught:
        template.clean()
    errors = caught.value.message_dict
    assert "{outcome} cannot be used" in errors["subject"][0]
    assert errors["body"][0].startswith("{x} is not a placeholder.")
    assert "must end with {support}" in errors["body"][1]


@pytest.mark.django_db
def test_the_admin_form_shows_the_same_refusals_and_lists_the_placeholders() -> None:
    template = LetterTemplate.objects.get(kind=INVITE)
    form = LetterTemplateForm(
        data={"title": "Invite", "subject": "Invitation", "body": "Dear {employee_name"},
        instance=template,
    )
    assert not form.is_valid()
    assert any("Unbalanced brace" in e for e in form.errors["body"])
    assert "{meeting_place}" in form.fields["body"].help_text
    assert "{outcome}" not in form.fields["body"].help_text
    ok = LetterTemplateForm(
        data={"title": "Invite", "subject": "Invitation", "body": BODY}, instance=template
    )
    assert ok.is_valid(), ok.errors


def test_filling_is_one_pass_a_value_with_braces_is_printed_as_it_is() -> None:
    values = {"employee_name": "{support}", "support": "SECRET"}
    assert fill("Dear {employee_name}", values) == "Dear {support}"


def test_paragraphs_are_split_at_blank_lines() -> None:
    assert paragraphs("One\nline two\n\n\n  \nThree\r\n\r\nFour") == [
        "One\nline two",
        "Three",
        "Four",
    ]


PLAIN = st.text(st.characters(blacklist_characters="{}", blacklist_categories=["Cs"]), max_size=40)


@given(
    kind=st.sampled_from(LetterKind.values),
    parts=st.lists(st.one_of(PLAIN, st.sampled_from(sorted(EVERY))), max_size=12),
)
def test_a_body_of_text_and_tokens_passes_exactly_when_every_token_is_its_kinds(
    kind: str, parts: list[str]
) -> None:
    """The check and the allow-list agree: made of plain text and tokens, a
    body is refused exactly when it uses a token its kind may not."""
    body = "".join(f"{{{p}}}" if p in EVERY else p for p in parts)
    foreign = [p for p in parts if p in EVERY and p not in ALLOWED[kind]]
    errors = template_errors(kind, body)
    assert len(errors) == len(foreign)
    # Filled with every value, no token is left.
    filled = fill(body, dict.fromkeys(ALLOWED[kind], "v"))
    assert all(f"{{{name}}}" not in filled for name in ALLOWED[kind])
