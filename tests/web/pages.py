"""Helpers that drive the web UI the way a person would: GET the form, POST it."""

from __future__ import annotations

import uuid
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role, holders
from voice.selectors import has_account
from workflow.models import Case

from ..factories import referral_kwargs


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def submit(client: Client, user: Any, employee: Any, **overrides: Any) -> Any:
    login(client, user)
    data = referral_kwargs(employee, **overrides)
    answers = data.pop("just_culture")
    post = {**data, **{k: {True: "yes", False: "no"}.get(v, "") for k, v in answers.items()}}
    # The form's one-time key, as the blank form would carry it (a fresh form each time).
    post.setdefault("submission_key", str(uuid.uuid4()))
    return client.post(reverse("cases:new"), post)


def submit_case(client: Client, user: Any, employee: Any, **overrides: Any) -> Case:
    response = submit(client, user, employee, **overrides)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.get(response["Location"])  # as a browser would; shows (and uses up) the message
    return Case.objects.latest("id")


def act(client: Client, user: Any, case: Case, action: str, **data: Any) -> Any:
    """POST one action form as ``user``, with the version the page would carry."""
    login(client, user)
    case.refresh_from_db()
    post = {"version": case.version, **data}
    response = client.post(reverse("cases:action", args=[case.pk, action]), post)
    if response.status_code == 302:
        client.get(response["Location"])  # as a browser would; shows (and uses up) the message
    return response


def page(client: Client, user: Any, case: Case) -> Any:
    login(client, user)
    return client.get(reverse("cases:detail", args=[case.pk]))


def deliberate(client: Client, case: Case, members: list[Any]) -> None:
    """HR adds the employee's account through its form if none is on the case
    yet (voice/: the panel does not decide without it by default); then each
    member declares no conflict and records a view, through their forms."""
    if not has_account(case.pk):
        case.refresh_from_db()
        hr = case.owner or holders(Role.HR).order_by("pk").first()
        response = act(
            client,
            hr,
            case,
            "record_account",
            source="meeting",
            text="I asked for help twice before handover; nobody came.",
            meeting_on=timezone.localdate().strftime("%d/%m/%Y"),
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    for member in members:
        assert act(client, member, case, "declare", no_conflict="yes").status_code == 302
        response = act(
            client,
            member,
            case,
            "record_view",
            outcome="informal_action",
            comment="Informal steps were tried; the pattern needs the panel's weighing.",
        )
        assert response.status_code == 302, response.content.decode()[:2000]
