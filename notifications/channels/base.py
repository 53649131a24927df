"""The one interface every channel implements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from accounts.types import Actor

    from ..models import Delivery, Notification


class ChannelPlugin(Protocol):
    #: The ``Channel`` value stored on deliveries.
    name: str
    #: True when ``send`` only writes to the database: it then runs inside the
    #: transaction that marks the delivery sent, so it happens exactly once.
    #: False for the outside world (email): ``send`` runs before that
    #: transaction, outside any lock (notifications/__init__.py).
    transactional: bool
    #: True when a user's digest preference holds this channel's deliveries.
    digestible: bool

    def accepts(self, user: Actor) -> bool:
        """Whether ``user`` can be reached over this channel at all."""
        ...

    def send(self, notification: Notification, delivery: Delivery) -> None:
        """Deliver; raise to have the delivery retried with backoff."""
        ...
