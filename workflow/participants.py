"""The port through which the case engine learns who takes part in a case.

Who may see what is decided in ``workflow.access``, in one place; some of
those rules turn on who sits on the case's panels and who has declared no
conflict. The panels stage sits above the engine and owns those rows, so the
engine does not read them itself: it asks this port, and the panels app
plugs its implementation in at start-up (``PanelsConfig.ready`` calls
``register``). The engine then imports nothing of the stage above it.

Every question has a Python form, for a case in hand (it uses what a
selector prefetched), and a query form, an expression over cases whose
primary key is at ``{prefix}pk``; ``tests/workflow/test_access_rules.py``
checks that ``access`` built on them gives the same answers both ways.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django.db.models import Exists, Prefetch

    from accounts.types import Actor

    from .models import Case


class Decision(Protocol):
    """A panel's decision as the sign-off reads it."""

    @property
    def pk(self) -> Any: ...

    @property
    def outcome(self) -> str: ...


class CaseParticipants(Protocol):
    """What the engine needs to know about the people seated on a case."""

    def seated_ids(self, case: Case) -> set[int]:
        """Users holding any seat on any of the case's panels, whatever became of it."""
        ...

    def seated_q(self, user: Actor, prefix: str) -> Exists:
        """``seated_ids``'s query form: ``user`` holds a seat on the case's panels."""
        ...

    def cleared(self, case: Case, user_id: int) -> bool:
        """``user_id`` declared no conflict on the current (latest) panel."""
        ...

    def cleared_q(self, user: Actor, prefix: str) -> Exists:
        """``cleared``'s query form."""
        ...

    def cleared_on_any(self, case: Case, user_id: int) -> bool:
        """``user_id`` declared no conflict on any of the case's panels."""
        ...

    def cleared_on_any_q(self, user: Actor, prefix: str) -> Exists:
        """``cleared_on_any``'s query form."""
        ...

    def lock_prefetches(self) -> tuple[Prefetch[str], ...]:
        """What to prefetch on the locked case, so the action rules read it once.

        The engine drops these caches after the service's body (which may
        write the rows), so each must prefetch a relation of the case itself.
        """
        ...

    def detail_prefetches(self) -> tuple[Prefetch[str], ...]:
        """What the case page prefetches: the panels and the decisions it shows."""
        ...

    def withhold_conflict_reasons(self, case: Case) -> None:
        """Blank the conflict reasons on the rows loaded for one page (never saved)."""
        ...

    def latest_decision(self, case: Case) -> Decision | None:
        """The case's most recent panel decision, if any."""
        ...


_registered: CaseParticipants | None = None


def register(impl: CaseParticipants) -> None:
    """Plug in the implementation (the panels app does, in its ``ready()``).

    Registering again replaces it: ``ready()`` may run more than once in tests.
    """
    global _registered
    _registered = impl


def is_registered() -> bool:
    return _registered is not None


def participants() -> CaseParticipants:
    """The registered implementation; refuses if no app plugged one in."""
    if _registered is None:
        raise ImproperlyConfigured(
            "No case participants are registered: the app that seats people on "
            "cases (panels) must call workflow.participants.register() in its "
            "AppConfig.ready()."
        )
    return _registered
