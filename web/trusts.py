"""Choosing the trust to act for, for a person with roles in several (accounts/trusts.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from accounts.trusts import trust_choose, trusts_of
from tenancy.models import Trust


class TrustChooseView(LoginRequiredMixin, View):
    template_name = "registration/trust_choose.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            trust_id = int(request.POST.get("trust", ""))
        except ValueError:
            return self._page(request, error="Choose one of your trusts.", status=400)
        if not trust_choose(request, trust_id):
            return self._page(request, error="Choose one of your trusts.", status=400)
        return HttpResponseRedirect(self._next(request))

    def _next(self, request: HttpRequest) -> str:
        target = request.POST.get("next") or request.GET.get("next") or "/"
        allowed = url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return target if allowed else "/"

    def _page(self, request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
        held = trusts_of(request, request.user)
        context: dict[str, Any] = {
            "trusts": Trust.objects.filter(pk__in=held).order_by("name"),
            "current": getattr(request, "trust_id", None),
            "next": self._next(request),
            "error": error,
        }
        return render(request, self.template_name, context, status=status)
