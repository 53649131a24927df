"""The login pages: single sign-on with NHSmail, the password form while local
login is on, the break-glass password page, and the no-access page.

The rule for who may use a password is ``accounts.backends`` (one place);
the forms here only turn its refusal into a message a person can act on.
The OpenID Connect views are mozilla-django-oidc's, answering 404 while
single sign-on is off, and sending a person the provider signed in but who
holds no role here to the no-access page (``staff.sso.SsoBackend`` says so).
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from mozilla_django_oidc import views as oidc_views  # type: ignore[import-untyped]
from viewflow.contrib.auth import AuthenticationForm

from accounts.backends import LOCAL_LOGIN_OFF_MESSAGE, password_login_refused
from staff.sso import sign_in_refused

log = logging.getLogger(__name__)
security_log = logging.getLogger("django.security.sso")

SIGN_IN_FAILED_MESSAGE = (
    "Signing in with NHSmail did not work. Try again; if it keeps failing, contact your HR team."
)


class _PasswordRuleMessage:
    """A login form that says so when the password rule, not the password, refused."""

    request: HttpRequest | None

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()  # type: ignore[misc, no-any-return]  # the form's own clean
        except ValidationError:
            if password_login_refused(self.request):
                raise ValidationError(LOCAL_LOGIN_OFF_MESSAGE, code="password_login_off") from None
            raise


class LoginForm(_PasswordRuleMessage, AuthenticationForm):  # type: ignore[misc]  # viewflow is untyped
    """The web login form (viewflow's fields), with the password rule's message."""


class AdminLoginForm(_PasswordRuleMessage, AdminAuthenticationForm):
    """The admin login form, with the password rule's message."""


class LoginView(auth_views.LoginView):
    """The login page: "Sign in with NHSmail" while single sign-on is on, the
    password form while local login is on (or on the break-glass page)."""

    form_class = LoginForm
    break_glass = False

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = settings.FTP_SSO_ENABLED
        # A password posted anyway (a bookmark, a password manager) gets the
        # form back with the rule's message.
        context["password_form_shown"] = (
            settings.FTP_LOCAL_LOGIN_ENABLED or self.break_glass or context["form"].is_bound
        )
        context["break_glass"] = self.break_glass
        return context


class BreakGlassLoginView(LoginView):
    """The password form for the break-glass accounts while local login is off.
    Anyone else who tries it is refused by the password rule, with its message."""

    break_glass = True


def no_access(request: HttpRequest) -> HttpResponse:
    """Where a person lands whom the provider signed in but who holds no role here."""
    return render(request, "registration/no_access.html", status=403)


def _sso_only() -> None:
    if not settings.FTP_SSO_ENABLED:
        raise Http404("Single sign-on is not set up here.")


def _state_is_ours(request: HttpRequest) -> bool:
    """Whether the callback's ``state`` is one this browser's session sent."""
    return request.GET.get("state", "") in request.session.get("oidc_states", {})


class SsoAuthenticateView(oidc_views.OIDCAuthenticationRequestView):  # type: ignore[misc]  # untyped library
    """Sends the browser to the provider's sign-in page (with state, nonce and PKCE)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _sso_only()
        response: HttpResponse = super().get(request)
        return response


class SsoCallbackView(oidc_views.OIDCAuthenticationCallbackView):  # type: ignore[misc]  # untyped library
    """Where the provider sends the browser back with a code: the library
    exchanges it and ``staff.sso.SsoBackend`` signs the person in."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _sso_only()
        if request.GET.get("error") and not _state_is_ours(request):
            # An error for no sign-in this browser began (a link someone sent):
            # the library would log the person out; a logout needs a POST.
            return self.login_failure()
        try:
            response: HttpResponse = super().get(request)
        except requests.RequestException as exc:
            # The provider unreachable or refusing the code: no 500 for the person.
            log.warning("Single sign-on: the provider call failed (%s).", type(exc).__name__)
            return self.login_failure()
        except SuspiciousOperation as exc:
            # A replayed or foreign state, a token for another client: refused,
            # and told to the security log as Django would, but as the login
            # page with its message rather than a bare 400. The messages name
            # what was wrong, never a claim's value.
            security_log.warning("Single sign-on callback refused: %s", exc)
            return self.login_failure()
        return response

    def login_failure(self) -> HttpResponse:
        if sign_in_refused(self.request):
            return HttpResponseRedirect(settings.FTP_SSO_NO_ACCESS_URL)
        messages.error(self.request, SIGN_IN_FAILED_MESSAGE)
        return HttpResponseRedirect(self.failure_url)


urlpatterns = [
    # The names are mozilla-django-oidc's: its views reverse them.
    path("authenticate/", SsoAuthenticateView.as_view(), name="oidc_authentication_init"),
    path("callback/", SsoCallbackView.as_view(), name="oidc_authentication_callback"),
]
