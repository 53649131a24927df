"""Raising a concern, following it up with a case key, and the guardians'
casework: what each write stores, refuses and puts on record."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password

from audit.models import AuditEvent
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from speakup import keys, throttle
from speakup.access import KeyHolder
from speakup.models import Concern, ConcernMessage, Route
from speakup.services import (
    EVENT_TYPES,
    WRONG_KEY,
    acknowledge_due,
    concern_acknowledge,
    concern_categorise,
    concern_close,
    concern_raise,
    concern_reply,
    followup_open,
    reporter_reply,
)

ACCOUNT = "Qzx: my manager mocked my accent at handover again"
ADDRESS = "203.0.113.7"


def _raise(reporter: Any = None, route: str = Route.ANONYMOUS, **kw: Any) -> Any:
    return concern_raise(reporter=reporter, route=route, topic="racism", account=ACCOUNT, **kw)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 12, 1), dt.date(2026, 12, 3)),  # Tuesday: Thursday
        (dt.date(2026, 12, 4), dt.date(2026, 12, 8)),  # Friday: Tuesday
        # Thursday 24 Dec: Christmas (Fri), the weekend, Boxing Day's
        # substitute (Mon 28) do not count: Tue 29, Wed 30.
        (dt.date(2026, 12, 24), dt.date(2026, 12, 30)),
    ],
)
@pytest.mark.django_db
def test_acknowledge_by_is_two_working_days_after_receipt(received: dt.date, due: dt.date) -> None:
    assert acknowledge_due(received) == due


def test_keys_are_long_and_unambiguous() -> None:
    assert keys.KEY_BITS >= 60
    assert keys.PASSPHRASE_BITS >= 70
    assert math.isclose(keys.KEY_BITS, 16 * math.log2(30))
    key = keys.case_key_new()
    assert re.fullmatch(r"[A-HJKMNP-TV-Z2-9]{16}", key)
    assert not set("01ILOU") & set(key)
    phrase = keys.passphrase_new()
    assert re.fullmatch(r"([a-hjkmnp-tv-z2-9]{4}-){4}[a-hjkmnp-tv-z2-9]{4}", phrase)
    shown = keys.case_key_shown(key)
    assert keys.key_normalise(shown.lower().replace("-", " ")) == key
    assert keys.passphrase_normalise(phrase.upper().replace("-", "")) == phrase


def test_anonymous_concern_stores_no_identity_and_only_a_hash(speak: Any) -> None:
    raised = _raise(today=dt.date(2026, 12, 1))
    concern = Concern.objects.get(pk=raised.concern.pk)
    assert concern.reporter_id is None
    assert concern.route == Route.ANONYMOUS
    assert concern.acknowledge_by == dt.date(2026, 12, 3)
    assert keys.case_key_shown(concern.case_key) == raised.case_key
    assert raised.passphrase not in concern.passphrase_hash
    assert check_password(raised.passphrase, concern.passphrase_hash)
    event = AuditEvent.objects.get(action="concern_raised")
    assert event.actor_id is None
    assert event.reason == ""
    assert event.case_id is None
    assert ACCOUNT not in str(event.payload)


def test_a_signed_in_person_raising_anonymously_is_not_named(speak: Any) -> None:
    with pytest.raises(ValidationFailed):
        _raise(reporter=speak.staff)
    assert not Concern.objects.exists()


def test_open_concern_names_its_reporter_and_needs_a_role(speak: Any) -> None:
    raised = _raise(reporter=speak.staff, route=Route.OPEN)
    assert raised.case_key == ""
    assert raised.passphrase == ""
    assert raised.concern.reporter_id == speak.staff.pk
    assert raised.concern.case_key == ""
    assert raised.concern.passphrase_hash == ""
    from tests.factories import make_user

    outsider = make_user("olly.outsider")
    with pytest.raises(NotAllowed):
        _raise(reporter=outsider, route=Route.CONFIDENTIAL)
    with pytest.raises(NotAllowed):
        _raise(reporter=None, route=Route.OPEN)


def test_bad_input_is_refused_field_by_field(speak: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        concern_raise(
            reporter=None,
            route="loudly",
            topic="weather",
            account="  ",
            professional_group="astronaut",
            ethnic_category="Q",
        )
    assert set(caught.value.errors) == {
        "route",
        "topic",
        "account",
        "professional_group",
        "ethnic_category",
    }


def test_key_and_passphrase_open_that_concern_only(speak: Any) -> None:
    mine, other = _raise(), _raise()
    holder = followup_open(case_key=mine.case_key, passphrase=mine.passphrase, address=ADDRESS)
    assert holder == KeyHolder(concern_id=mine.concern.pk)
    # Typed loosely: lower case, spaces for dashes.
    loose = followup_open(
        case_key=mine.case_key.lower().replace("-", " "),
        passphrase=mine.passphrase.upper(),
        address=ADDRESS,
    )
    assert loose.concern_id == mine.concern.pk
    with pytest.raises(NotFound) as wrong_phrase:
        followup_open(case_key=mine.case_key, passphrase=other.passphrase, address=ADDRESS)
    with pytest.raises(NotFound) as wrong_key:
        followup_open(case_key="ABCD-EFGH-JKMN-PQRS", passphrase=mine.passphrase, address=ADDRESS)
    assert wrong_phrase.value.message == wrong_key.value.message == WRONG_KEY


def test_failed_attempts_are_throttled_per_key_and_per_client(speak: Any) -> None:
    mine = _raise()
    for _ in range(throttle.PER_KEY):
        with pytest.raises(NotFound):
            followup_open(case_key=mine.case_key, passphrase="wrong", address=ADDRESS)
    # The key is now shut, even with the right passphrase, from any address.
    with pytest.raises(NotAllowed):
        followup_open(case_key=mine.case_key, passphrase=mine.passphrase, address="198.51.100.1")
    # Per client: guesses at many keys from one address.
    for n in range(throttle.PER_CLIENT - throttle.PER_KEY):
        with pytest.raises(NotFound):
            followup_open(case_key=f"GUESS{n:04d}", passphrase="x", address=ADDRESS)
    other = _raise()
    with pytest.raises(NotAllowed):
        followup_open(case_key=other.case_key, passphrase=other.passphrase, address=ADDRESS)
    assert (
        followup_open(
            case_key=other.case_key, passphrase=other.passphrase, address="198.51.100.2"
        ).concern_id
        == other.concern.pk
    )


def test_the_reporter_writes_on_their_own_concern_only(speak: Any) -> None:
    anon, other = _raise(), _raise()
    holder = KeyHolder(concern_id=anon.concern.pk)
    reporter_reply(viewer=holder, concern_id=anon.concern.pk, body="Qzx more detail")
    with pytest.raises(NotFound):
        reporter_reply(viewer=holder, concern_id=other.concern.pk, body="Qzx sneaky")
    opened = _raise(reporter=speak.staff, route=Route.CONFIDENTIAL)
    reporter_reply(viewer=speak.staff, concern_id=opened.concern.pk, body="Qzx mine")
    for intruder in (speak.hr, speak.guardian):  # a guardian replies as a guardian
        with pytest.raises(NotFound):
            reporter_reply(viewer=intruder, concern_id=opened.concern.pk, body="Qzx not mine")
    written = AuditEvent.objects.filter(action="concern_reporter_replied").order_by("id")
    assert [e.actor_id for e in written] == [None, speak.staff.pk]


def test_guardians_casework_is_audited_without_content(speak: Any) -> None:
    raised = _raise(reporter=speak.staff, route=Route.OPEN)
    pk = raised.concern.pk
    for person in (speak.hr, speak.staff):
        with pytest.raises(NotAllowed):
            concern_acknowledge(concern_id=pk, actor=person)
        with pytest.raises(NotAllowed):
            concern_reply(concern_id=pk, actor=person, body="Qzx", signed=False)
    concern_acknowledge(concern_id=pk, actor=speak.guardian)
    with pytest.raises(Conflict):
        concern_acknowledge(concern_id=pk, actor=speak.guardian_b)
    concern_categorise(
        concern_id=pk,
        actor=speak.guardian,
        categories={"racism": True, "bullying_harassment": True},
        professional_group="nursing",
        org_unit_id=speak.units["department"].pk,
        ethnic_category="M",
    )
    unsigned = concern_reply(
        concern_id=pk, actor=speak.guardian, body="Qzx we hear you", signed=False
    )
    signed = concern_reply(concern_id=pk, actor=speak.guardian, body="Qzx signed", signed=True)
    assert unsigned.guardian_id is None
    assert signed.guardian_id == speak.guardian.pk
    concern_close(concern_id=pk, actor=speak.guardian_b, feedback="Qzx what we did", signed=False)
    with pytest.raises(Conflict):
        concern_reply(concern_id=pk, actor=speak.guardian, body="Qzx late", signed=False)
    concern = Concern.objects.get(pk=pk)
    assert concern.racism
    assert concern.bullying_harassment
    assert not concern.patient_safety
    assert concern.professional_group == "nursing"
    assert concern.ethnic_category == "M"
    assert concern.closed_at is not None
    assert concern.acknowledged_by_id == speak.guardian.pk
    assert ConcernMessage.objects.filter(concern=concern).count() == 3
    actions = [a for a, _ in EVENT_TYPES]
    events = list(AuditEvent.objects.filter(action__in=actions).order_by("id"))
    assert [e.action for e in events] == [
        "concern_raised",
        "concern_acknowledged",
        "concern_categorised",
        "concern_guardian_replied",
        "concern_guardian_replied",
        "concern_closed",
    ]
    for event in events:
        assert event.reason == ""
        assert event.case_id is None
        assert "Qzx" not in str(event.payload)
