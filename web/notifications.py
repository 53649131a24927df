"""The person's notifications and their email preference.

Views validate, call one service and show the result; a notification that
is not the person's answers 404, an invalid choice 400 with the reason.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from accounts.types import as_actor
from core.errors import NotFound, ValidationFailed
from core.inputs import parse_query
from core.paging import keyset_page
from notifications import messages
from notifications.models import EmailMode
from notifications.selectors import (
    LIST_ORDER,
    email_mode_for,
    notifications_for,
    unread_count,
    unread_label,
)
from notifications.services import (
    notification_mark_read,
    notification_preference_set,
    notifications_mark_all_read,
)
from web.filters import CursorForm

PAGE_SIZE = 25


class NotificationListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        # A cursor that is not one is a 400 (core.paging); pages are keyset
        # pages, so an old page costs what the newest does.
        cursor = parse_query(CursorForm, request).cleaned_data["cursor"]
        page = keyset_page(
            notifications_for(request.user), order=LIST_ORDER, cursor=cursor, size=PAGE_SIZE
        )
        steps = messages.bundle_items(list(page))
        rows = [
            {
                "n": n,
                "text": messages.inapp_text(n),
                "steps": steps.get(n.pk, []),
                "more": len(n.items) - len(steps.get(n.pk, [])),
            }
            for n in page
        ]
        unread = unread_count(request.user)
        return render(
            request,
            "notifications/list.html",
            {
                "page": page,
                "rows": rows,
                "unread": unread,
                "unread_label": unread_label(unread),
                "title": "Notifications",
            },
        )


class MarkReadView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            notification = notification_mark_read(user=as_actor(request.user), notification_id=pk)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        if request.POST.get("open") and notification.case_id:
            return HttpResponseRedirect(reverse("cases:detail", args=[notification.case_id]))
        return HttpResponseRedirect(reverse("notifications:list"))


class MarkAllReadView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        count = notifications_mark_all_read(user=as_actor(request.user))
        flash.success(request, f"{count} marked as read.")
        return HttpResponseRedirect(reverse("notifications:list"))


class PreferenceForm(forms.Form):
    email_mode = forms.ChoiceField(
        label="How would you like your emails?",
        choices=EmailMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose immediate emails or a daily digest."},
    )


class PreferencesView(LoginRequiredMixin, View):
    template = "notifications/preferences.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = PreferenceForm(initial={"email_mode": email_mode_for(request.user)})
        return self._show(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PreferenceForm(request.POST)
        if form.is_valid():
            try:
                notification_preference_set(
                    user=as_actor(request.user), email_mode=form.cleaned_data["email_mode"]
                )
            except ValidationFailed as exc:
                for message in exc.errors.get("email_mode", []):
                    form.add_error("email_mode", message)
            else:
                flash.success(request, "Your email preference is saved.")
                return HttpResponseRedirect(reverse("notifications:preferences"))
        return self._show(request, form, status=400)

    def _show(self, request: HttpRequest, form: forms.Form, status: int = 200) -> HttpResponse:
        context: dict[str, Any] = {"form": form, "title": "Notification settings"}
        return render(request, self.template, context, status=status)
