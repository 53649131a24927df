"""The types of the people the code passes around, named once.

Two kinds of person reach a service, a selector or a rule:

* an ``Actor``: someone logged in, acting (submitting, triaging, deciding,
  exporting). Every write is by one; the audit log names them.
* a ``Viewer``: whoever asks to see something, i.e. a request's user. It may
  be nobody logged in (``AnonymousUser``); the access rules then allow
  nothing, and code that needs a primary key narrows first
  (``if user.is_authenticated: ...``).

A view hands a service its request's user as ``as_actor(request.user)``.

The project uses Django's default ``auth.User`` (no ``AUTH_USER_MODEL``), so
``Actor`` is that class, not its abstract base: the type checker's Django plugin
types every foreign key to the user model (``convened_by``, ``signed_by``, an
event's ``actor``) and ``request.user`` with it, and an ``AbstractUser`` would
not fit them without a cast. Swapping the user model means changing these two
lines. They are for annotations only: the classes are imported for the type
checker, never at run time, so any module (a model, an app's ``ready``) may
import this one early.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

Actor: TypeAlias = "User"
"""Someone logged in, acting: the person a write is by."""

Viewer: TypeAlias = "User | AnonymousUser"
"""Whoever asks to see: a request's user, possibly nobody logged in."""


def as_actor(user: Viewer) -> Actor:
    """``user`` as someone acting: a request's user at a view (or an admin
    page) that writes, or a read that records what it showed.

    Every such view is behind login, so an anonymous request never gets this far;
    should one ever be wired up without it, the write is refused (403) rather
    than recorded as by nobody.
    """
    if not user.is_authenticated:
        raise PermissionDenied("Log in to do this.")
    return user
