"""speakup.access: each rule's Python form and query form agree, over
generated people (any roles, superusers, inactive, anonymous, key holders)
and concerns (every route, raised or imported, any reporter)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from speakup.access import (
    Casework,
    ConcernVisible,
    GuardianNameVisible,
    KeyHolder,
    MessageVisible,
    OwnConcern,
    ReporterNameVisible,
)
from speakup.models import Concern, ConcernMessage, Route, Source
from staff.services import user_add

_counter = itertools.count()

person_st = st.fixed_dictionaries(
    {
        "roles": st.sets(st.sampled_from(list(Role)), max_size=3),
        "superuser": st.booleans(),
        "active": st.booleans(),
    }
)
concern_st = st.fixed_dictionaries(
    {
        "route": st.sampled_from(list(Route)),
        "source": st.sampled_from(list(Source)),
        "reporter": st.integers(min_value=-1, max_value=3),  # an index into people, or none
        "signed": st.booleans(),
    }
)


def _person(spec: dict[str, Any]) -> Any:
    name = f"gen{next(_counter)}"
    user = None
    for role in sorted(spec["roles"]):
        user = user_add(username=name, role=role, password="pw-Gen-2026!", validate=False)
    if user is None:
        user = get_user_model().objects.create_user(name, password="pw-Gen-2026!")
    user.is_superuser = user.is_staff = spec["superuser"]
    user.is_active = spec["active"]
    user.save()
    return get_user_model().objects.get(pk=user.pk)


def _concern(spec: dict[str, Any], people: list[Any], guardian: Any) -> Concern:
    anonymous = spec["route"] == Route.ANONYMOUS
    reporter = None
    if not anonymous and 0 <= spec["reporter"] < len(people):
        reporter = people[spec["reporter"]]
    keyed = anonymous and spec["source"] == Source.RAISED
    concern = Concern.objects.create(
        source=spec["source"],
        route=spec["route"],
        received_on=dt.date(2026, 11, 2),
        topic="racism",
        account="Qzx what happened",
        reporter=reporter,
        case_key=f"K{next(_counter):015d}" if keyed else "",
        acknowledge_by=dt.date(2026, 11, 4),
        created_at=timezone.now(),
    )
    ConcernMessage.objects.create(
        concern=concern,
        from_guardian=True,
        guardian=guardian if spec["signed"] else None,
        body="Qzx reply",
        created_at=timezone.now(),
    )
    ConcernMessage.objects.create(
        concern=concern, from_guardian=False, body="Qzx answer", created_at=timezone.now()
    )
    return concern


def _agree(viewer: Any, concerns: list[Concern]) -> None:
    ids = [c.pk for c in concerns]
    everyone = Concern.objects.filter(pk__in=ids)
    for rule in (ConcernVisible, OwnConcern, ReporterNameVisible):
        by_query = set(everyone.filter(rule.q(viewer)).values_list("pk", flat=True))
        by_python = {c.pk for c in concerns if rule.allows(viewer, c)}
        assert by_query == by_python, (rule.__name__, viewer)
    assert set(everyone.filter(Casework.q(viewer)).values_list("pk", flat=True)) == (
        set(ids) if Casework.allows(viewer) else set()
    )
    messages = list(ConcernMessage.objects.filter(concern_id__in=ids).select_related("concern"))
    every_message = ConcernMessage.objects.filter(concern_id__in=ids)
    for message_rule in (MessageVisible, GuardianNameVisible):
        shown = set(every_message.filter(message_rule.q(viewer)).values_list("pk", flat=True))
        assert shown == {m.pk for m in messages if message_rule.allows(viewer, m)}, viewer


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(person_st, min_size=1, max_size=4),
    concerns=st.lists(concern_st, min_size=1, max_size=5),
)
def test_python_and_query_forms_agree(
    people: list[dict[str, Any]], concerns: list[dict[str, Any]]
) -> None:
    with transaction.atomic():
        users = [_person(p) for p in people]
        guardian = _person({"roles": {Role.FTSU_GUARDIAN}, "superuser": False, "active": True})
        rows = [_concern(c, users, guardian) for c in concerns]
        holders = [KeyHolder(concern_id=c.pk) for c in rows]
        for viewer in [*users, guardian, AnonymousUser(), *holders]:
            _agree(viewer, rows)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_only_guardians_do_casework_whatever_else_they_hold() -> None:
    every_other = [r for r in Role if r != Role.FTSU_GUARDIAN]
    hr_superuser = user_add(username="su.hr", role=Role.HR, password="pw-Gen-2026!", validate=False)
    hr_superuser.is_superuser = hr_superuser.is_staff = True
    hr_superuser.save()
    people = [_person({"roles": {r}, "superuser": False, "active": True}) for r in every_other]
    people.append(get_user_model().objects.get(pk=hr_superuser.pk))
    for person in people:
        assert not Casework.allows(person)
    guardian = _person({"roles": {Role.FTSU_GUARDIAN}, "superuser": False, "active": True})
    assert Casework.allows(guardian)
    assert not Casework.allows(AnonymousUser())


@pytest.mark.django_db
def test_a_key_holder_sees_their_one_anonymous_concern(other_trust: Any) -> None:
    guardian = _person({"roles": {Role.FTSU_GUARDIAN}, "superuser": False, "active": True})
    spec = {"route": Route.ANONYMOUS, "source": Source.RAISED, "reporter": -1, "signed": False}
    mine, theirs = _concern(spec, [], guardian), _concern(spec, [], guardian)
    holder = KeyHolder(concern_id=mine.pk)
    assert ConcernVisible.allows(holder, mine)
    assert not ConcernVisible.allows(holder, theirs)
    assert list(Concern.objects.filter(ConcernVisible.q(holder))) == [mine]
    assert not ReporterNameVisible.allows(holder, mine)
