"""Each trust's own templates and letterhead: made with the trust, changed
only by its HR (audited with the wording's hashes), never seen by another."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from audit.models import AuditEvent
from core.errors import NotAllowed, NotFound, ValidationFailed
from letters.defaults import SUPPORT_TEXT, TEMPLATES
from letters.kinds import LetterKind
from letters.models import Letterhead, LetterTemplate, wording_hash
from letters.services import letter_template_change, letterhead_change
from tenancy.context import trust_entered
from tenancy.services import trust_add

pytestmark = pytest.mark.django_db

INVITE = LetterKind.MEETING_INVITATION
BODY = "Dear {employee_name},\n\nPlease come on {meeting_date} at {meeting_time}.\n\n{support}"


def png(size: tuple[int, int] = (60, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 94, 184)).save(out, format="PNG")
    return out.getvalue()


def test_a_new_trust_starts_with_every_template_and_a_letterhead(trust: Any) -> None:
    assert set(LetterTemplate.objects.values_list("kind", flat=True)) == set(LetterKind.values)
    head = Letterhead.objects.get()
    assert (head.display_name, head.support_text) == (trust.name, SUPPORT_TEXT)
    made = trust_add(code="RNEW", name="New Test Trust")
    with trust_entered(made):
        assert LetterTemplate.objects.count() == len(LetterKind.values)
        assert Letterhead.objects.get().display_name == "New Test Trust"


def test_changing_a_template_is_audited_with_the_old_and_new_hashes(cast: Any) -> None:
    template = LetterTemplate.objects.get(kind=INVITE)
    old = wording_hash(template.subject, template.body)
    changed = letter_template_change(
        template_id=template.pk, actor=cast.hr, title="Invite", subject="Meeting", body=BODY
    )
    assert changed.body == BODY
    assert changed.updated_by_id == cast.hr.pk
    event = AuditEvent.objects.get(action="letter_template_changed")
    assert event.payload == {
        "template": template.pk,
        "kind": "meeting_invitation",
        "old_sha256": old,
        "new_sha256": wording_hash("Meeting", BODY),
    }
    assert BODY not in str(event.payload)
    assert event.actor_id == cast.hr.pk


def test_a_bad_template_is_refused_and_nothing_changes(cast: Any) -> None:
    template = LetterTemplate.objects.get(kind=INVITE)
    with pytest.raises(ValidationFailed) as caught:
        letter_template_change(
            template_id=template.pk,
            actor=cast.hr,
            title="Invite",
            subject="Your {outcome}",
            body="Dear {employee_name}",
        )
    assert "{outcome} cannot be used" in caught.value.errors["subject"][0]
    assert "must end with {support}" in caught.value.errors["body"][0]
    template.refresh_from_db()
    assert template.body == TEMPLATES[INVITE][2]
    assert not AuditEvent.objects.filter(action="letter_template_changed").exists()


def test_only_hr_changes_the_letters(cast: Any) -> None:
    template = LetterTemplate.objects.get(kind=INVITE)
    for person in (cast.manager, cast.director, cast.panel_a, cast.outsider):
        with pytest.raises(NotAllowed):
            letter_template_change(
                template_id=template.pk, actor=person, title="x", subject="x", body=BODY
            )
        with pytest.raises(NotAllowed):
            letterhead_change(actor=person, display_name="x")


def test_the_letterhead_takes_a_png_or_jpeg_logo_of_at_most_512_kb(cast: Any) -> None:
    head = letterhead_change(
        actor=cast.hr, logo=png(), display_name="Royal Test NHS Trust", address="1 Road\nLondon"
    )
    assert head.logo_type == "image/png"
    assert head.display_name == "Royal Test NHS Trust"
    event = AuditEvent.objects.get(action="letterhead_changed")
    assert event.payload["fields"] == ["display_name", "address"]
    assert len(event.payload["logo_sha256"]) == 64
    refused = {
        b"GIF89a not a logo": "PNG or JPEG",
        b"%PDF-1.4\n%%EOF\n": "PNG or JPEG",
        b"\x89PNG\r\n\x1a\nbroken": "cannot be read",
        b"\x89PNG\r\n\x1a\n" + b"0" * (512 * 1024): "largest allowed is 512 KB",
    }
    for data, message in refused.items():
        with pytest.raises(ValidationFailed) as caught:
            letterhead_change(actor=cast.hr, logo=data)
        assert message in caught.value.errors["logo"][0], caught.value.errors
    head.refresh_from_db()
    assert bytes(head.logo) == png()
    removed = letterhead_change(actor=cast.hr, logo_remove=True)
    assert bytes(removed.logo) == b""
    assert removed.logo_type == ""


def test_another_trusts_templates_are_neither_seen_nor_changed(
    cast: Any, trust: Any, other_trust: Any
) -> None:
    with trust_entered(other_trust):
        theirs = LetterTemplate.objects.get(kind=INVITE)
        their_head = Letterhead.objects.get()
    ours = LetterTemplate.objects.get(kind=INVITE)
    assert ours.pk != theirs.pk
    assert not LetterTemplate.objects.filter(pk=theirs.pk).exists()
    assert LetterTemplate.objects.count() == len(LetterKind.values)
    assert not Letterhead.objects.filter(pk=their_head.pk).exists()
    # Asked to change the other trust's template by its id: there is none here.
    with pytest.raises(NotFound):
        letter_template_change(
            template_id=theirs.pk, actor=cast.hr, title="x", subject="x", body=BODY
        )
    letter_template_change(
        template_id=ours.pk, actor=cast.hr, title="Ours", subject="Ours", body=BODY
    )
    with trust_entered(other_trust):
        assert LetterTemplate.objects.get(kind=INVITE).body == TEMPLATES[INVITE][2]
        assert Letterhead.objects.get().display_name == other_trust.name
