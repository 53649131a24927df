"""The event bus: handlers in the order they subscribed, once each, by exact type."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core import events


@dataclass(frozen=True)
class Happened:
    what: str


@dataclass(frozen=True)
class Other:
    what: str


@pytest.fixture
def heard() -> list[str]:
    return []


def test_subscribers_are_called_in_order_with_the_event(heard: list[str]) -> None:
    def first(event: Happened) -> None:
        heard.append(f"first {event.what}")

    def second(event: Happened) -> None:
        heard.append(f"second {event.what}")

    events.subscribe(Happened, first)
    events.subscribe(Happened, second)
    events.subscribe(Happened, first)  # a second ready(): no second call
    try:
        events.publish(Happened("x"))
        events.publish(Other("y"))  # nobody listens to Other
    finally:
        events.unsubscribe(Happened, first)
        events.unsubscribe(Happened, second)
    assert heard == ["first x", "second x"]
    assert events.subscribers(Happened) == ()


def test_a_failing_handler_stops_the_publisher(heard: list[str]) -> None:
    def fails(event: Happened) -> None:
        raise RuntimeError(event.what)

    def after(event: Happened) -> None:
        heard.append(event.what)

    events.subscribe(Happened, fails)
    events.subscribe(Happened, after)
    try:
        with pytest.raises(RuntimeError, match="boom"):
            events.publish(Happened("boom"))
    finally:
        events.unsubscribe(Happened, fails)
        events.unsubscribe(Happened, after)
    assert heard == []
