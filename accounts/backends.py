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
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

LOCAL_LOGIN_OFF_MESSAGE = (
    "Logging in with a password is switched off here. Sign in with your NHSmail account instead."
)

# Set on the request passed to ``authenticate()`` when the rule refused it.
_REFUSED_ATTR = "ftp_password_login_off"


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
        return super().authenticate(request, username=username, password=password, **kwargs)
