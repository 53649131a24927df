"""The employee's single-use link (ADR 0027, docs/employee-account.md).

Two pages:

* ``account_link_issued``: the answer to HR's "Send the employee a link"
  action (``web.cases.CaseActionView``): the raw link, shown this once, and
  whether it was emailed to the employee's address on record.
* ``AccountLinkView`` at ``/account/<token>/``: the employee's own page. No
  login and no session are needed (CSRF still applies). It enters the trust
  the token names, then shows only that case's reference, the employee's
  own name, the concern's category and summary (what they are answering),
  the trust's support services, and a form. Never the referring manager,
  the panel, the ethnic category or anything of another case. A link that
  is unknown, used, expired or revoked gets one page, "this link no longer
  works" (404, or 410 for used and expired), which never says whether a
  case exists. Failed looks are counted per client address: past
  ``PER_CLIENT`` in an hour the page answers 429 whatever the token.
  Every answer is ``no-store``, ``noindex`` and sends no referrer.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.views import View
from django.views.generic import RedirectView
from viewflow.urls import Application

from accounts.lockout import client_ip
from accounts.trusts import request_trust_enter
from accounts.types import as_actor
from core.errors import ValidationFailed
from tenancy.models import Trust
from voice.links import LinkState, token_parse
from voice.models import AccountLink
from voice.services import (
    LinkNotWorking,
    account_link_issue_shown,
    account_link_open,
    account_submit_by_link,
)

from .forms import apply_domain_errors
from .voice_forms import EmployeeAccountForm

PER_CLIENT = 30
WINDOW_SECONDS = 60 * 60
GONE = frozenset({LinkState.USED, LinkState.EXPIRED})


def _private(response: HttpResponse) -> HttpResponse:
    """Never cached, never indexed, and no link leaks out in a Referer."""
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, " + response["Cache-Control"]
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _support() -> list[Any]:
    """The trust's support services (wellbeing/, helper 2's), signposted on
    the page. Guarded until that selector lands: no signposting, not a 500."""
    try:
        from wellbeing.selectors import support_services
    except ImportError:  # TODO(integration): wellbeing.selectors.support_services
        return []
    return list(support_services())


# --- HR: the link, shown once ------------------------------------------------------------


def account_link_issued(request: HttpRequest, view: Any, data: dict[str, Any]) -> HttpResponse:
    """Issue (or withdraw) the link and answer with it, this once."""
    issued = account_link_issue_shown(case_id=view.case.pk, actor=as_actor(request.user), **data)
    if not issued.url:
        messages.success(request, "The employee's link was withdrawn: it no longer works.")
        return HttpResponseRedirect(reverse("cases:detail", args=[view.case.pk]))
    response = render(
        request,
        "voice/link_issued.html",
        {
            "title": f"The employee's link: {view.case.reference}",
            "case": view.case,
            "issued": issued,
        },
    )
    return _private(response)


# --- the employee's page ---------------------------------------------------------------------


def _counter(request: HttpRequest) -> str:
    mac = hmac.new(settings.SECRET_KEY.encode(), client_ip(request).encode(), hashlib.sha256)
    return f"ftp:account-link-fail:{mac.hexdigest()[:32]}"


def _blocked(request: HttpRequest) -> bool:
    return int(cache.get(_counter(request)) or 0) >= PER_CLIENT


def _failed(request: HttpRequest) -> None:
    counter = _counter(request)
    cache.add(counter, 0, timeout=WINDOW_SECONDS)
    try:
        cache.incr(counter)
    except ValueError:
        cache.set(counter, 1, timeout=WINDOW_SECONDS)


class AccountLinkView(View):
    """The employee's page for their link; see the module's docstring."""

    def _enter(self, request: HttpRequest, token: str) -> None:
        parsed = token_parse(token)
        if parsed is None:
            raise LinkNotWorking("unknown")
        request_trust_enter(request, parsed.trust_id)

    def _gone(self, request: HttpRequest, exc: LinkNotWorking) -> HttpResponse:
        if exc.state not in GONE:
            _failed(request)
        status = 410 if exc.state in GONE else 404
        return _private(
            render(
                request,
                "voice/link_gone.html",
                {"title": "This link no longer works"},
                status=status,
            )
        )

    def _page(
        self, request: HttpRequest, link: AccountLink, form: EmployeeAccountForm, status: int = 200
    ) -> HttpResponse:
        case = link.case
        context = {
            "title": "Your account",
            # Only these four of the case, by name: nothing else reaches the template.
            "reference": case.reference,
            "employee_name": case.employee_name,
            "concern": case.get_concern_category_display(),
            "summary": case.summary,
            "expires_at": link.expires_at,
            "trust_name": Trust.objects.filter(pk=link.trust_id or 0)
            .values_list("name", flat=True)
            .first(),
            "support": _support(),
            "form": form,
        }
        return _private(render(request, "voice/link_page.html", context, status=status))

    def _too_many(self, request: HttpRequest) -> HttpResponse:
        return _private(
            render(
                request,
                "voice/link_gone.html",
                {"title": "Too many attempts", "too_many": True},
                status=429,
            )
        )

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        if _blocked(request):
            return self._too_many(request)
        try:
            self._enter(request, token)
            link = account_link_open(token)
        except LinkNotWorking as exc:
            return self._gone(request, exc)
        return self._page(request, link, EmployeeAccountForm())

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        if _blocked(request):
            return self._too_many(request)
        try:
            self._enter(request, token)
            link = account_link_open(token)
        except LinkNotWorking as exc:
            return self._gone(request, exc)
        form = EmployeeAccountForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(request, link, form, status=400)
        upload = form.cleaned_data.get("file")
        try:
            account_submit_by_link(
                token=token,
                text=form.cleaned_data.get("text") or "",
                file_name=upload.name if upload else "",
                file_data=upload.read() if upload else None,
            )
        except LinkNotWorking as exc:
            return self._gone(request, exc)
        except ValidationFailed as exc:
            apply_domain_errors(form, exc)
            return self._page(request, link, form, status=400)
        return _private(
            render(
                request,
                "voice/link_thanks.html",
                {"title": "Thank you", "reference": link.case.reference},
            )
        )


class AccountLinkApp(Application):  # type: ignore[misc]  # viewflow ships no types
    """The employee's single-use link page, at /account/<token>/ in the Site.
    Open to everyone at the door: the token is the authority."""

    title = "Your account"
    icon = "edit_note"
    app_name = "account"
    namespace = "account"
    menu_template_name = "workflow/menu.html"
    permission = staticmethod(lambda user: True)

    # No page of its own: /account/ alone goes to the product's front page.
    index_path = path("", RedirectView.as_view(url="/", permanent=False), name="index")
    page_path = path("<str:token>/", AccountLinkView.as_view(), name="page")
