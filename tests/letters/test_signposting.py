"""Every letter ends with the trust's support services ("Support available to
you"), as the trust configured them; an invitation names the companion HR
recorded for the panel meeting. Still no special-category data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from letters.kinds import LetterKind
from letters.models import Letter
from letters.render import SUPPORT_HEADING
from letters.services import letter_generate
from panels.meetings import meeting_schedule
from staff.ethnicity import EthnicCategory
from wellbeing.models import SupportService
from wellbeing.selectors import support_lines, support_services

from ..factories import EmployeeFactory
from ..workflow.steps import Story
from .conftest import pdf_text

pytestmark = pytest.mark.django_db

TOMORROW = dt.date.today() + dt.timedelta(days=1)


@pytest.fixture
def story(cast: Any) -> Story:
    return Story(cast, EmployeeFactory(name="Ama Mensah", job_title="Nurse", ethnic_category="M"))


@pytest.fixture
def services() -> list[SupportService]:
    """The trust's own list: one service switched off, one added with a link."""
    SupportService.objects.filter(kind="staff_network").update(active=False)
    SupportService.objects.create(
        kind="other",
        name="Chaplaincy",
        contact="Extension 4455",
        url="https://chaplaincy.example.nhs.uk",
        description="Spiritual and pastoral support for staff of any faith or none.",
        position=5,
    )
    return support_services()


def stored_pdf(letter: Letter) -> bytes:
    version = letter.document.versions.get(number=1)
    with version.file.open("rb") as stored:
        return bytes(stored.read())


def _letter(story: Story, kind: str) -> Letter:
    case = {
        LetterKind.MEETING_INVITATION: story.convened,
        LetterKind.INFORMAL_OUTCOME: story.closed,
        LetterKind.PANEL_OUTCOME: story.signoff,
        LetterKind.FORMAL_INVESTIGATION_NOTICE: story.formal,
    }[LetterKind(kind)]()
    extra: dict[str, Any] = {}
    if kind == LetterKind.MEETING_INVITATION:
        extra = {
            "meeting_date": TOMORROW,
            "meeting_time": dt.time(10, 30),
            "meeting_place": "Room 4",
        }
    return letter_generate(case_id=case.pk, actor=story.cast.hr, kind=kind, **extra)


def test_the_default_services_are_seeded_for_every_trust() -> None:
    kinds = [s.kind for s in support_services()]
    assert kinds == [
        "occupational_health",
        "employee_assistance",
        "ftsu_guardian",
        "staff_network",
        "trade_union",
    ]


def test_support_lines_are_plain_text_in_the_trusts_order(services: Any) -> None:
    lines = support_lines()
    assert lines[0] == (
        "Other support: Chaplaincy, Extension 4455 (https://chaplaincy.example.nhs.uk). "
        "Spiritual and pastoral support for staff of any faith or none."
    )
    assert not any("Staff network" in line for line in lines)


@pytest.mark.parametrize("kind", LetterKind.values)
def test_every_letter_kind_lists_the_support_services(
    kind: str, story: Story, services: Any, tmp_path: Path
) -> None:
    text = pdf_text(stored_pdf(_letter(story, kind)), tmp_path)
    assert SUPPORT_HEADING in text
    for service in services:
        assert f"{service.get_kind_display()}: {service.name}" in text
    assert "Staff networks" not in text  # switched off by the trust
    assert EthnicCategory("M").label not in text


def test_the_invitation_names_the_companion_when_known(story: Story, tmp_path: Path) -> None:
    case = story.convened()
    starts = timezone.now() + dt.timedelta(days=2)
    meeting_schedule(
        case_id=case.pk,
        actor=story.cast.hr,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        place="Room 4",
        accompaniment_told=True,
        companion_name="Sam Okafor",
        companion_role="union_rep",
    )
    letter = letter_generate(
        case_id=case.pk,
        actor=story.cast.hr,
        kind=LetterKind.MEETING_INVITATION,
        meeting_date=TOMORROW,
        meeting_time=dt.time(10, 30),
        meeting_place="Room 4",
    )
    text = pdf_text(stored_pdf(letter), tmp_path)
    assert "You have the right to be accompanied" in text
    assert (
        "You have told us that Sam Okafor, trade union representative, will accompany you" in text
    )


def test_no_companion_sentence_when_none_is_known(story: Story, tmp_path: Path) -> None:
    text = pdf_text(stored_pdf(_letter(story, LetterKind.MEETING_INVITATION)), tmp_path)
    assert "You have the right to be accompanied" in text
    assert "You have told us that" not in text
