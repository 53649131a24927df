"""Writes about users: onboarding with a role."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from .roles import Role, forget_roles


@transaction.atomic
def user_add(
    *,
    username: str,
    role: Role,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    validate: bool = True,
) -> AbstractUser:
    """Create or update a user and give them ``role``.

    Without a password the account cannot log in until one is set (the
    trust's SSO or a reset flow sets it). Passwords are checked with the
    configured validators unless ``validate`` is false (demo data only).
    """
    User = get_user_model()
    username = username.strip()
    if not username:
        raise ValidationError({"username": "A username is required."})
    user, _ = User.objects.get_or_create(username=username)
    if password is not None:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    elif not user.has_usable_password() or not user.password:
        user.set_unusable_password()
    user.email = email or user.email
    user.first_name = first_name or user.first_name
    user.last_name = last_name or user.last_name
    user.save()
    user.groups.add(Group.objects.get(name=role.group_name))
    forget_roles(user)
    return user
