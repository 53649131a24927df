"""Domain events: a layer announces what happened; the layers above react.

The case engine must not call up into the apps that react to it
(notifications, deadlines, reports), or every new reaction would be one more
import the engine carries. Instead the engine publishes a typed event
(``workflow.events.CaseActed``) and each reacting app subscribes a handler
once, at start-up, in its ``AppConfig.ready()``.

Handlers run synchronously, in the order they subscribed, inside the
publisher's transaction: a notification recorded by a handler commits or
rolls back with the action that caused it (the exactly-once rule), and a
handler that fails fails the action. Anything slow (sending email) is queued
by the handler to run after the commit, never done here.

An event type lives with the layer that announces it, so that it can carry
that layer's models typed; this module only routes them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

E = TypeVar("E")

_handlers: defaultdict[type[Any], list[Callable[[Any], None]]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Call ``handler`` with every ``event_type`` published from now on.

    Subscribing the same handler twice has no further effect (``ready()``
    may run more than once in tests).
    """
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def unsubscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Stop calling ``handler`` (for tests that prove a reaction is a subscriber)."""
    if handler in _handlers[event_type]:
        _handlers[event_type].remove(handler)


def subscribers(event_type: type[Any]) -> tuple[Callable[[Any], None], ...]:
    """The handlers ``event_type`` reaches, in the order they are called."""
    return tuple(_handlers[event_type])


def publish(event: object) -> None:
    """Hand ``event`` to every subscriber of its exact type, in order."""
    for handler in tuple(_handlers[type(event)]):
        handler(event)
