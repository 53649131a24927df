"""Notices follow the delegate: whoever is away today is covered by their delegate.

A person with an out-of-office delegation running today
(``accounts.delegation``) does not get the notices of their work (a
reminder, an escalation, a task waiting); their delegate does, told whom it
is for ("for Y"), since the delegate is the one who can act on it. One query
for a whole batch of recipients, however many (a sweep tells hundreds).
Never a chain: a delegate away too is still the one told (their own
delegate covers their own work only).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from accounts.delegation import delegates_of
from accounts.types import Actor

from .batch import NoticeEvent


def name_of(user: Actor) -> str:
    return user.get_full_name() or user.get_username()


def cover_for(item: Mapping[str, Any], person: Actor) -> dict[str, Any]:
    """``item`` (a notification's item, or ``{}``) marked as for ``person``."""
    return {**item, "for": person.pk, "for_name": name_of(person)}


def covered_told(
    told: Mapping[int, Sequence[Actor]],
) -> tuple[dict[int, list[Actor]], dict[tuple[int, int], Actor]]:
    """``told`` (whom each notice tells, by its id) with everyone away today
    replaced by their delegate; and, by (notice, delegate), whom the delegate
    is told for. Someone told in their own right is told for nobody."""
    cover = delegates_of({u.pk for people in told.values() for u in people})
    if not cover:
        return {k: list(v) for k, v in told.items()}, {}
    out: dict[int, list[Actor]] = {}
    for_whom: dict[tuple[int, int], Actor] = {}
    for key, people in told.items():
        mine = {u.pk: u for u in people if u.pk not in cover}
        direct = set(mine)
        for user in people:
            delegate = cover.get(user.pk)
            if delegate is None or delegate.pk in direct:
                continue
            mine.setdefault(delegate.pk, delegate)
            for_whom.setdefault((key, delegate.pk), user)
        out[key] = list(mine.values())
    return out, for_whom


def covered_events(events: Sequence[NoticeEvent]) -> list[NoticeEvent]:
    """``events`` with each recipient away today replaced by their delegate,
    whose notice says whom it is for."""
    cover = delegates_of({u.pk for e in events for u in e.recipients if u is not None})
    if not cover:
        return list(events)
    out = []
    for event in events:
        present = [u for u in event.recipients if u is not None and u.pk not in cover]
        direct = {u.pk for u in present}
        if present:
            out.append(dataclasses.replace(event, recipients=present))
        for user in event.recipients:
            delegate = cover.get(user.pk) if user is not None else None
            if delegate is None or delegate.pk in direct:
                continue
            items = [cover_for(i, user) for i in event.items] or [cover_for({}, user)]
            out.append(dataclasses.replace(event, recipients=[delegate], items=items))
    return out
