"""Who may log in with a password: the one place the rule is written.

With single sign-on on, a trust usually switches local passwords off
(``FTP_LOCAL_LOGIN_ENABLED=false``): people sign in with NHSmail, whose
provider enforces the trust's own password and multi-factor rules. A few
named break-glass accounts (``FTP_BREAK_GLASS_USERNAMES``) keep a password so
someone can still get in when the provider is down or misconfigured.

Every password path (the web login form, the admin login, the API token
endpoint) reaches the password through Django's ``authenticate()``, which
asks ``PasswordBackend`` (it replaces Django's ``ModelBackend`` in
``AUTHENTICATION_BACKENDS``, after the lockout). So the rule is here once; the
forms and the API only turn a refusal into their own clear message
(``password_login_refused``). Sessions already open and permission checks
are the plain ``ModelBackend``'s.

While local passwords are off, every password login that succeeds is a
break-glass login, an exceptional event: ``PasswordBackend`` marks the
request, and once the login has happened (Django's ``user_logged_in``, sent by
the web, admin and API logins alike) ``BreakGlassLogin`` is published for the
layers above to record and report (``staff.break_glass``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, user_logged_in
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from core import events

from .events import BreakGlassLogin, LoginDoor
from .roles import permissions_of, user_roles

LOCAL_LOGIN_OFF_MESSAGE = (
    "Logging in with a password is switched off here. Sign in with your NHSmail account instead."
)

# Set on the request passed to ``authenticate()`` when the rule refused it.
_REFUSED_ATTR = "ftp_password_login_off"
# Set on it when a break-glass account's password was right while local login is off.
_BREAK_GLASS_ATTR = "ftp_break_glass_login"


def password_login_allowed(username: str) -> bool:
    """Whether ``username`` may log in with a password: anyone while local
    login is on, only the break-glass accounts while it is off."""
    return settings.FTP_LOCAL_LOGIN_ENABLED or username in settings.FTP_BREAK_GLASS_USERNAMES


def password_login_refused(request: Any) -> bool:
    """Whether this request's ``authenticate()`` was refused by the rule
    (rather than by a wrong password or the lockout)."""
    return bool(getattr(request, _REFUSED_ATTR, False))


class PasswordBackend(ModelBackend):
    """Django's username-and-password backend, refusing anyone the rule refuses."""

    def authenticate(
        self,
        request: Any,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if password is None:
            return None  # not a password login (single sign-on's callback)
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not password_login_allowed(str(username or "")):
            if request is not None:
                setattr(request, _REFUSED_ATTR, True)
            # Stops authenticate() here: no later backend checks the password.
            raise PermissionDenied(LOCAL_LOGIN_OFF_MESSAGE)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and request is not None and not settings.FTP_LOCAL_LOGIN_ENABLED:
            # Not yet a login: the admin may still refuse a non-staff account.
            setattr(request, _BREAK_GLASS_ATTR, True)
        return user


def login_door(request: Any) -> LoginDoor:
    """Which login ``request`` came through: the API, the admin, else the web."""
    path = str(getattr(request, "path", ""))
    if path.startswith("/api/"):
        return LoginDoor.API
    if path.startswith("/admin/"):
        return LoginDoor.ADMIN
    return LoginDoor.WEB


@receiver(user_logged_in, dispatch_uid="accounts.break_glass_login")
def announce_break_glass_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A login ``PasswordBackend`` marked as break-glass happened: announce it, once."""
    if request is None or not getattr(request, _BREAK_GLASS_ATTR, False):
        return
    setattr(request, _BREAK_GLASS_ATTR, False)
    events.publish(BreakGlassLogin(user=user, door=login_door(request)))


class RolePermissionBackend:
    """The Django permissions a person has: those their roles carry in the
    trust being acted for (``accounts.roles``). It authenticates nobody.

    viewflow's task queues and the admin ask ``user.has_perm``; with roles
    held per trust, a person's permissions change with the trust they act
    for, and outside any trust they have none from their roles."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if obj is not None:
            return set()
        return set(permissions_of(user_roles(user_obj)))

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return self.get_group_permissions(user_obj, obj)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))

    def get_user(self, user_id: int) -> None:
        return None
