"""The port through which the engine learns who else is named on a case.

After the sign-off, the formal process (``formal``, above the engine) names
an investigator, a hearing chair and an appeal hearer. Each must see the
case they are named on: its summary and the formal process, never what
their role does not open (HR-only notes and documents, the ethnic
category, the panel's views). Who may see what stays decided in
``workflow.access``; the facts are the formal app's, so it plugs them in
here (``FormalConfig.ready`` calls ``register``), as the panels do through
``workflow.participants``. Until something registers, nobody is named.

Both forms, as every access fact: ``named_ids`` for a case in hand,
``named_q`` over cases whose primary key is at ``{prefix}pk``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.db.models import Exists, Q

if TYPE_CHECKING:
    from .models import Case


class NamedPeople(Protocol):
    def named_ids(self, case: Case) -> set[int]:
        """Users named on the case (by the formal process)."""
        ...

    def named_q(self, user_id: int, prefix: str) -> Exists | Q:
        """``named_ids``'s query form: ``user_id`` is named on the case."""
        ...


class _Nobody:
    def named_ids(self, case: Case) -> set[int]:
        return set()

    def named_q(self, user_id: int, prefix: str) -> Exists | Q:
        return Q(**{f"{prefix}pk__in": []})


_registered: NamedPeople = _Nobody()


def register(impl: NamedPeople) -> None:
    """Plug in the implementation (``FormalConfig.ready``); again replaces it."""
    global _registered
    _registered = impl


def named_people() -> NamedPeople:
    return _registered
