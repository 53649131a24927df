"""Talk to the API as each person would, and walk a case to any point through it.

Every step here is an HTTP request to ``/api/v1/``: a case reaches a stage the
only way a client program could get it there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework.test import APIClient

from voice.selectors import has_account

from ..factories import referral_kwargs

PASSWORD = "pw-Cast-2026!"
PANEL_REASON = "A pattern of similar concerns that informal resolution cannot address."
RETURN_REASON = "Please add the dates of the earlier conversations."
RESUBMIT_NOTE = "Added the dates of the two earlier conversations."
INFORMAL_ACTIONS = "Facilitated conversation with the colleague and a written reflection."
UNRESOLVED_REASON = "The behaviour was repeated on the next two shifts."
REDIRECT_REASON = "This is about capability, not conduct."
RATIONALE = "The panel weighed the evidence, the context and the just culture guide."
DECLINE_REASON = "The panel has not considered the mitigating workload evidence."
VIEW_COMMENT = "Informal steps were tried; the pattern needs the panel's weighing."
WITHDRAW_REASON = "Raised in error: the incident involved a different colleague."
ACCOUNT_TEXT = "I was covering two bays that shift and asked for help twice before handover."

BASE = "/api/v1/referrals/"


def case_url(case_id: int | str) -> str:
    return f"{BASE}{case_id}/"


def action_url(case_id: int | str, action: str) -> str:
    return f"{BASE}{case_id}/actions/{action}/"


def referral_body(employee: Any, **overrides: Any) -> dict[str, Any]:
    """The service test data, as JSON a client would send."""
    body = referral_kwargs(employee, **overrides)
    if isinstance(body.get("incident_date"), dt.date):
        body["incident_date"] = body["incident_date"].isoformat()
    return body


def ok(response: Any, status: int = 200) -> Any:
    """The JSON of a response that must have succeeded with ``status``."""
    assert response.status_code == status, (response.status_code, response.content[:2000])
    return response.json()


class Api:
    """One person's client program."""

    def __init__(self, client: APIClient) -> None:
        self.client = client

    @classmethod
    def as_user(cls, user: Any) -> Api:
        client = APIClient()
        client.force_authenticate(user)
        return cls(client)

    @classmethod
    def anonymous(cls) -> Api:
        return cls(APIClient())

    @classmethod
    def with_token(cls, username: str, password: str = PASSWORD) -> Api:
        """Logs in the way a client program does: a token, then the header on every call."""
        client = APIClient()
        body = {"username": username, "password": password}
        token = ok(client.post("/api/v1/auth/token/", body, format="json"))
        client.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
        return cls(client)

    def get(self, url: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(url, params or {})

    def post(self, url: str, body: Any = None) -> Any:
        return self.client.post(url, body if body is not None else {}, format="json")

    def post_raw(self, url: str, raw: str | bytes) -> Any:
        """Sends bytes as they are, labelled as JSON (for bodies json.dumps cannot make)."""
        return self.client.generic("POST", url, raw, content_type="application/json")

    def submit(self, employee: Any, **overrides: Any) -> Any:
        return self.post(BASE, referral_body(employee, **overrides))

    def cases(self, **filters: Any) -> Any:
        return self.get(BASE, filters)

    def case(self, case_id: int | str) -> Any:
        return self.get(case_url(case_id))

    def path(self, case_id: int | str) -> Any:
        return self.get(f"{case_url(case_id)}path/")

    def act(self, case_id: int | str, action: str, **body: Any) -> Any:
        return self.post(action_url(case_id, action), body)


class Walk:
    """Brings a case to a point of the flow through the API, with the shared cast.

    Each step returns the case as the API answered the person who acted.
    """

    def __init__(self, cast: Any, employee: Any, people: dict[str, Api] | None = None) -> None:
        people = people or {}
        self.cast = cast
        self.employee = employee
        self.manager = people.get("manager") or Api.as_user(cast.manager)
        self.hr = people.get("hr") or Api.as_user(cast.hr)
        self.chair = people.get("chair") or Api.as_user(cast.panel_a)
        self.director = people.get("director") or Api.as_user(cast.director)
        self.extra_members: list[Any] = []  # panel members beyond the cast's three

    def submitted(self) -> Any:
        return ok(self.manager.submit(self.employee), 201)

    def returned(self) -> Any:
        case = self.submitted()
        return ok(self.hr.act(case["id"], "triage", route="return", reason=RETURN_REASON))

    def informal(self) -> Any:
        case = self.submitted()
        return ok(self.hr.act(case["id"], "triage", route="informal"))

    def panel(self) -> Any:
        """At ``panel`` straight from triage, waiting for HR to convene."""
        case = self.submitted()
        return ok(self.hr.act(case["id"], "triage", route="panel", reason=PANEL_REASON))

    def convene(self, case: Any) -> Any:
        """HR convenes the panel and adds the employee's account from a meeting
        (the trust's default policy: no decision without it; voice/)."""
        members = [m.pk for m in self.cast.panel]
        case = ok(
            self.hr.act(case["id"], "convene_panel", members=members, chair=self.cast.panel_a.pk)
        )
        return self.account(case)

    def account(self, case: Any) -> Any:
        return ok(
            self.hr.act(
                case["id"],
                "record_account",
                source="meeting",
                text=ACCOUNT_TEXT,
                meeting_on=dt.date.today().isoformat(),
            )
        )

    def member(self, user: Any) -> Api:
        return self.chair if user == self.cast.panel_a else Api.as_user(user)

    def deliberate(self, case: Any, view: str = "informal_action") -> Any:
        """HR adds the employee's account if none is on the case yet (as
        ``tests.workflow.steps.deliberate``); then each sitting member yet to
        do so declares no conflict and records a view."""
        if not has_account(case["id"]):
            case = self.account(case)
        for seat in case["panels"][-1]["seats"]:
            if not seat["sitting"]:
                continue
            person = self.member(next(u for u in self.everyone if u.pk == seat["user"]["id"]))
            if seat["declared"] is None:
                case = ok(person.act(case["id"], "declare", no_conflict=True))
            if not any(
                v["member"]["id"] == seat["user"]["id"] for v in case["panels"][-1]["views"]
            ):
                case = ok(person.act(case["id"], "record_view", outcome=view, comment=VIEW_COMMENT))
        return case

    @property
    def everyone(self) -> list[Any]:
        return [*self.cast.panel, *self.extra_members]

    def just_convened(self) -> Any:
        """At ``panel``, convened (panel_a chairs): the members are yet to declare."""
        return self.convene(self.panel())

    def convened(self) -> Any:
        """At ``panel``, convened (panel_a chairs), every member cleared of
        conflicts and their views recorded: waiting for the chair's decision."""
        return self.deliberate(self.just_convened())

    def decide(self, case: Any, outcome: str) -> Any:
        return ok(self.chair.act(case["id"], "decide", outcome=outcome, rationale=RATIONALE))

    def signoff(self) -> Any:
        """At ``signoff``: the panel proposed a formal investigation."""
        return self.decide(self.convened(), "formal_investigation")

    def formal(self) -> Any:
        case = self.signoff()
        return ok(
            self.director.act(
                case["id"], "signoff", approve=True, reason="Proportionate to the concern."
            )
        )

    def closed(self) -> Any:
        case = self.informal()
        return ok(
            self.manager.act(
                case["id"], "record_informal_outcome", resolved=True, actions=INFORMAL_ACTIONS
            )
        )

    def at(self, point: str) -> Any:
        return getattr(self, point)()


# Every point at which a case is still open, by how it got there.
OPEN_POINTS = ["submitted", "returned", "informal", "panel", "convened", "signoff"]
