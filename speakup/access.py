"""Who sees a Freedom to Speak Up concern: every rule, once, in both forms.

The pattern of ``workflow/access.py`` (ADR 0014): each rule is a class with
its Python form ``allows(viewer, concern)`` and its query form
``q(viewer, prefix="")`` side by side; ``tests/speakup/test_access.py``
checks over generated people and concerns that the two agree.

A *viewer* is a person (``accounts.types.Viewer``: signed in or not) or a
``KeyHolder``: whoever typed an anonymous concern's case key and passphrase
on the follow-up page, who is nobody in particular and reads that one
concern only. The rules:

* ``Casework``: the trust's Freedom to Speak Up guardians
  (``Role.FTSU_GUARDIAN``) work on concerns, and nobody else: not HR, not a
  decision-maker, not governance, not a superuser (who holds no product
  role), and the admin registers no concern.
* ``ConcernVisible``: a guardian sees every concern of the trust; a
  signed-in reporter the concerns they raised openly or confidentially; a
  key holder the one anonymous concern the key opened; nobody else any.
* ``MessageVisible``: the messages of a concern its viewer may see.
* ``ReporterNameVisible``: the reporter's name is the guardians' (an
  anonymous concern has none to show).
* ``GuardianNameVisible``: a guardian's name on a reply is shown only when
  they chose to sign it (an unsigned reply stores no guardian at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.roles import Role, user_roles

from .models import Route

if TYPE_CHECKING:
    from accounts.types import Viewer

    from .models import Concern, ConcernMessage


@dataclass(frozen=True)
class KeyHolder:
    """Whoever proved they hold an anonymous concern's case key and passphrase:
    not a login, not a session; it opens the one concern and nothing else."""

    concern_id: int
    is_authenticated: bool = False
    is_active: bool = False
    pk: None = None


def nothing(prefix: str = "") -> Q:
    """A filter that matches no concern."""
    return Q(**{f"{prefix}pk__in": []})


def _is_guardian(viewer: Viewer | KeyHolder) -> bool:
    if isinstance(viewer, KeyHolder):
        return False
    return Role.FTSU_GUARDIAN in user_roles(viewer)


def _signed_in(viewer: Viewer | KeyHolder) -> bool:
    return not isinstance(viewer, KeyHolder) and bool(viewer.is_authenticated and viewer.is_active)


class Casework:
    """The guardians' casework (the list, a concern's page, acknowledging,
    categorising, replying, closing): the trust's guardians alone."""

    @staticmethod
    def allows(viewer: Viewer | KeyHolder) -> bool:
        return _is_guardian(viewer)

    @staticmethod
    def q(viewer: Viewer | KeyHolder, prefix: str = "") -> Q:
        return Q() if _is_guardian(viewer) else nothing(prefix)


class ConcernVisible:
    """A guardian sees every concern of the trust; a signed-in reporter their
    own open or confidential concerns; a key holder their one anonymous
    concern; anyone else none."""

    @staticmethod
    def allows(viewer: Viewer | KeyHolder, concern: Concern) -> bool:
        if isinstance(viewer, KeyHolder):
            return bool(concern.pk == viewer.concern_id and concern.route == Route.ANONYMOUS)
        return _is_guardian(viewer) or OwnConcern.allows(viewer, concern)

    @staticmethod
    def q(viewer: Viewer | KeyHolder, prefix: str = "") -> Q:
        if isinstance(viewer, KeyHolder):
            return Q(**{f"{prefix}pk": viewer.concern_id, f"{prefix}route": Route.ANONYMOUS})
        if _is_guardian(viewer):
            return Q()
        return OwnConcern.q(viewer, prefix)


class OwnConcern:
    """A signed-in reporter's own concerns (their "My concerns" list): the
    part of ``ConcernVisible`` that is theirs as a reporter, guardian or not."""

    @staticmethod
    def allows(viewer: Viewer | KeyHolder, concern: Concern) -> bool:
        return bool(
            _signed_in(viewer)
            and concern.reporter_id is not None
            and concern.reporter_id == viewer.pk
            and concern.route != Route.ANONYMOUS
        )

    @staticmethod
    def q(viewer: Viewer | KeyHolder, prefix: str = "") -> Q:
        if not _signed_in(viewer):
            return nothing(prefix)
        return Q(**{f"{prefix}reporter": viewer.pk}) & ~Q(**{f"{prefix}route": Route.ANONYMOUS})


class MessageVisible:
    """A concern's messages: whoever may see the concern reads them all."""

    @staticmethod
    def allows(viewer: Viewer | KeyHolder, message: ConcernMessage) -> bool:
        return ConcernVisible.allows(viewer, message.concern)

    @staticmethod
    def q(viewer: Viewer | KeyHolder, prefix: str = "") -> Q:
        return ConcernVisible.q(viewer, f"{prefix}concern__")


class ReporterNameVisible:
    """Who raised an open or confidential concern: the guardians (and the
    reporter, who knows). An anonymous concern names nobody to anyone."""

    @staticmethod
    def allows(viewer: Viewer | KeyHolder, concern: Concern) -> bool:
        if concern.route == Route.ANONYMOUS or concern.reporter_id is None:
            return False
        return _is_guardian(viewer) or OwnConcern.allows(viewer, concern)

    @staticmethod
    def q(viewer: Viewer | KeyHolder, prefix: str = "") -> Q:
        named = Q(**{f"{prefix}reporter__isnull": False}) & ~Q(
            **{f"{prefix}route": Route.ANONYMOUS}
        )
        if _is_guardian(viewer):
            return named
        return named & OwnConcern.q(viewer, prefix)


class GuardianNameVisible:
    """A reply names its guardian only if they signed it (to whoever may read
    the reply); an unsigned reply has no guardian stored."""

    @staticmethod
    def allows(viewer: Viewer | KeyHolder, message: ConcernMessage) -> bool:
        return message.guardian_id is not None and MessageVisible.allows(viewer, message)

    @staticmethod
    def q(viewer: Viewer | KeyHolder, prefix: str = "") -> Q:
        return Q(**{f"{prefix}guardian__isnull": False}) & MessageVisible.q(viewer, prefix)
