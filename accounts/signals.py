"""Revoke every login of a user whose password changes or who is deactivated.

Any path that saves the user counts: the admin, ``changepassword``,
``set_password`` + ``save``, ``set_unusable_password``, ``add_user``. The
stored row is compared before the save, so saving an unchanged user (a
``last_login`` update, a new email address) revokes nothing. A password hash
upgraded by Django on login (a stronger hasher) is a change too: Django
already ends that user's other sessions then, so their tokens go with them.

Not covered: ``QuerySet.update()`` and raw SQL, which send no signal.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .services import user_logins_revoke
from .trusts import trusts_remember

_REVOKE_ATTR = "_ftp_revoke_logins"


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.revoke.check")
def note_password_or_activity_change(
    sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    """Before a save: does it change the password hash or switch the user off?"""
    setattr(instance, _REVOKE_ATTR, False)
    if raw or instance.pk is None:
        return  # fixtures, or a new user: nothing to revoke
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login on every login: no extra query
    stored = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    changed = stored["password"] != instance.password
    switched_off = stored["is_active"] and not instance.is_active
    setattr(instance, _REVOKE_ATTR, changed or switched_off)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.revoke.apply")
def revoke_logins_after_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    """After that save, in its transaction: delete the user's tokens and sessions."""
    if getattr(instance, _REVOKE_ATTR, False):
        setattr(instance, _REVOKE_ATTR, False)
        user_logins_revoke(user_id=instance.pk)


@receiver(user_logged_in, dispatch_uid="accounts.trusts.remember")
def remember_trusts(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A new login's session keeps the trusts its person may act for (accounts/trusts.py)."""
    if request is not None:
        trusts_remember(getattr(request, "_request", request), user)
