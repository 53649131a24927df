"""Every route of the URL conf, as every kind of person, on cases they may and may
not see: the status each gets and the guarded content that must not be in
what they get back.

The routes are read from the URL conf itself (the admin's, the API's,
``/accounts/`` and the Site's apps), so a route nobody declared here fails
``test_every_route_is_declared``: a new page must say who may open it.

Expectations are written down from the access rules as the README states
them, not computed by the product's own rule functions:

- HR advisers and decision-makers see every case; a referring manager only the
  cases they referred; a panel member only the cases they were convened on,
  and until they declare no conflict only its reference, people, stage and
  what to do; governance viewers no individual case; nobody else any case;
- the employee's ethnic category only HR and decision-makers (never in an
  admin list, even to a superuser);
- a member's conflict-of-interest reason only HR, everywhere;
- members' views never the referring manager (nor a member yet to declare).

The world (``world.py``) is built once for the module; every request runs in
a savepoint rolled back afterwards, so a request that wrongly writes cannot
change what the next one sees. A request that must be refused must also
write nothing (audit events other than access-log entries, cases, panel
records, sign-offs, notifications, reference data, users).

Three samplings keep it within CI's time, each where the requests left out
would repeat others with another number. A case's action, for someone the
case does not exist for (no login, not theirs to see, or trust B's), is sent
as every action on one case hidden from them and triage on every case
(``asked``, ``_sampled``): such a request is refused before the action is
read. A GET to an API action (a POST route) is sent on one case: it is
refused (405, 401) before any case is read. With trust B's ids, where
everyone of trust A is a stranger, one person of each role is asked
(``STRANGERS``).

Size (printed by the tests with ``-s``; kept in ``MATRIX_SIZE`` during a
run). On the tree as measured (issue 20): GET 6,314 requests = 272 routes x
12 people over 625 (route, object) pairs; POST 4,332 requests over 136
state-changing routes (562 route-object pairs);
49 marker strings searched for in every body (``world.py``: per case its
summary, informal steps, department, members' view comments and an HR-only
and an everyone's document title; the panel case's notes for each audience;
the conflict's reason; the ethnic category's label, and its API form).
Across trusts, as 8 strangers: GET 2,640 requests (131 routes, 330 pairs) and
POST 1,658 (78 routes, 209 pairs), 79 markers.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tenancy.context import trust_entered
from workflow.models import Case

from ..conftest import shared_by_module
from .world import (
    CASE_KEYS,
    CLEARED,
    CONFLICTED,
    DM,
    HR,
    NONE,
    PEOPLE,
    REFERRER,
    UNDECLARED,
    World,
    WorldCase,
    build_worlds,
    referral_form,
)

# Minutes, not seconds: make test-fast leaves it out; make test and CI run it.
pytestmark = pytest.mark.slow

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
MISSING_PK = 987_654

# Which kinds of a case's content each relation to it may see (the policy).
# Case notes by audience (casefile.notes): "hr_note" is HR's alone. Case
# documents' titles (casefile): "hr_document" is HR's alone.
ALLOWED_KINDS: dict[str, frozenset[str]] = {
    HR: frozenset(
        {"concern", "department", "views", "conflict", "ethnicity"}
        | {"case_note", "panel_note", "hr_note", "case_document", "hr_document"}
    ),
    DM: frozenset(
        {"concern", "department", "views", "ethnicity", "case_note", "panel_note", "case_document"}
    ),
    REFERRER: frozenset({"concern", "department", "case_note", "case_document"}),
    CLEARED: frozenset(
        {"concern", "department", "views", "case_note", "panel_note", "case_document"}
    ),
    UNDECLARED: frozenset(),
    CONFLICTED: frozenset(),
    NONE: frozenset(),
}
WEB_ROLES = {
    "manager": "manager",
    "other_manager": "manager",
    "hr": "hr",
    "panel_cleared": "panel",
    "panel_undeclared": "panel",
    "panel_conflict": "panel",
    "panel_elsewhere": "panel",
    "director": "dm",
    "governance": "governance",
    "outsider": "",
    "superuser": "",  # holds no product role: the admin is for reference data
}

# Filled in by the tests as they run; printed and kept for the report.
MATRIX_SIZE: dict[str, Any] = {}


# --- routes -------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern, e.g. "cases/<int:pk>/"
    name: str  # "namespace:name", or "" when unnamed


def _walk(patterns: list[Any], prefix: str = "", ns: str = "") -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}:{p.namespace}".strip(":") if p.namespace else ns
            yield from _walk(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            name = f"{ns}:{p.name}".strip(":") if p.name else ""
            yield Route(prefix + str(p.pattern), name)


def present_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


# --- expectations -------------------------------------------------------------


@dataclass
class Target:
    """One request: a URL about one object (a case key, or a label)."""

    url: str
    obj: str
    case: str | None = None  # the case the page is about
    action: str | None = None


@dataclass
class Expect:
    statuses: frozenset[int]
    forbidden: list[str]
    redirect_to: str | None = None  # for a 302, where it must lead


@dataclass
class PostSpec:
    """How a state-changing route is posted to, and who may succeed."""

    body: Callable[[World, Target], dict[str, Any]]
    may_succeed: Callable[[World, str, Target], bool]
    refused: Callable[[World, str, Target], frozenset[int]]
    json: bool = False


@dataclass
class Spec:
    targets: Callable[[World], list[Target]]
    expect: Callable[[World, str, Target], Expect]
    post: PostSpec | None = None
    scrub: Callable[[str], str] | None = None
    get: bool = True
    # The targets a GET is sent to, when fewer than ``targets`` tell as much:
    # a route that refuses every GET (405) before reading its object.
    get_targets: Callable[[World], list[Target]] | None = None

    def gets(self, world: World) -> list[Target]:
        return (self.get_targets or self.targets)(world)


def S(*codes: int) -> frozenset[int]:
    return frozenset(codes)


def forbidden_on_case(world: World, person: str, wc: WorldCase) -> list[str]:
    kinds = ALLOWED_KINDS[wc.relation(person)]
    return [m for kind, ms in wc.markers().items() if kind not in kinds for m in ms]


def may_see_case(world: World, person: str, key: str) -> bool:
    return world.cases[key].relation(person) != NONE


def all_markers(world: World) -> list[str]:
    return world.all_markers()


def page_about(world: World, person: str, key: str | None) -> list[str]:
    """A page about one case: nothing of any other case, and of this one only
    what the person's relation to it allows."""
    out: list[str] = []
    allowed: set[str] = set()
    for k, wc in world.cases.items():
        if k == key:
            out += forbidden_on_case(world, person, wc)
            kinds = ALLOWED_KINDS[wc.relation(person)]
            allowed = {m for kind, ms in wc.markers().items() if kind in kinds for m in ms}
        else:
            out += [m for ms in wc.markers().values() for m in ms]
    # The ethnic category's label is the same string for every case.
    return [m for m in out if m not in allowed]


def listing(world: World, person: str) -> list[str]:
    """A list of cases: of each, only what the person's relation to it allows."""
    return [m for wc in world.cases.values() for m in forbidden_on_case(world, person, wc)]


def no_content(world: World, person: str) -> list[str]:
    return all_markers(world)


def no_content_but_units(world: World, person: str) -> list[str]:
    """The early warning lists every department of the trust by name, even
    with no referral (reference data, like the case list's department
    filter); nothing else of any case."""
    departments = {m for wc in world.cases.values() for m in wc.markers()["department"]}
    return [m for m in all_markers(world) if m not in departments]


def anon_web(world: World) -> Expect:
    return Expect(S(302), all_markers(world), LOGIN)


def anon_api(world: World) -> Expect:
    return Expect(S(401), all_markers(world))


def is_explorer(person: str) -> bool:
    return person in ("hr", "director")


def audit_forbidden(world: World, person: str) -> list[str]:
    """The audit explorer (HR and decision-makers): reasons are on record, so a
    conflict's reason is there; only HR may read it."""
    return listing(world, person)


# Web ----------------------------------------------------------------------


def fixed(url: str, label: str = "-") -> Callable[[World], list[Target]]:
    return lambda world: [Target(url, label)]


def per_case(template: str) -> Callable[[World], list[Target]]:
    def targets(world: World) -> list[Target]:
        out = [Target(template.format(pk=wc.pk), key, key) for key, wc in world.cases.items()]
        return [*out, Target(template.format(pk=MISSING_PK), "missing")]

    return targets


def web(
    ok: Callable[[str], frozenset[int]],
    forbidden: Callable[[World, str], list[str]] = listing,
) -> Callable[[World, str, Target], Expect]:
    """A page about no one case: ``ok(person)`` gives the statuses."""

    def expect(world: World, person: str, target: Target) -> Expect:
        if person == "anonymous":
            return anon_web(world)
        return Expect(ok(person), forbidden(world, person))

    return expect


def everyone(*codes: int) -> Callable[[str], frozenset[int]]:
    return lambda person: S(*codes)


def only(roles: set[str], yes: frozenset[int], no: frozenset[int] = S(403)) -> Any:
    return lambda person: yes if WEB_ROLES[person] in roles else no


def case_page(
    visible: frozenset[int] = S(200), explorer_only: bool = False
) -> Callable[[World, str, Target], Expect]:
    def expect(world: World, person: str, target: Target) -> Expect:
        if person == "anonymous":
            return anon_web(world)
        if explorer_only and not is_explorer(person):
            return Expect(S(403), no_content(world, person))
        if target.case is None or not may_see_case(world, person, target.case):
            return Expect(S(404), no_content(world, person))
        return Expect(visible, page_about(world, person, target.case))

    return expect


def checkins_page(world: World, person: str, target: Target) -> Expect:
    if person == "anonymous":
        return anon_web(world)
    if target.case is None or not may_see_case(world, person, target.case):
        return Expect(S(404), no_content(world, person))
    if person != "hr":
        return Expect(S(403), no_content(world, person))
    return Expect(S(200), page_about(world, person, target.case))


def suggestion_page(world: World, person: str, target: Target) -> Expect:
    if person == "anonymous":
        return anon_web(world)
    if target.case is None or not may_see_case(world, person, target.case):
        return Expect(S(404), no_content(world, person))
    if person != "hr":
        return Expect(S(403), no_content(world, person))
    # HR: the suggestion where a panel is to be convened or a seat filled, else 409.
    return Expect(S(200, 409), page_about(world, person, target.case))


ACTIONS = [
    "triage",
    "resubmit",
    "record_informal_outcome",
    "suggest_panel",
    "convene_panel",
    "replace_members",
    "declare",
    "record_view",
    "decide",
    "signoff",
    "record_suspension",
    "review_suspension",
    "lift_suspension",
    # The formal process (formal/): HR's, on the formal case, each in its turn.
    "name_investigator",
    "record_investigation_outcome",
    "schedule_hearing",
    "record_hearing_outcome",
    "lodge_appeal",
    "record_appeal_outcome",
    "conclude_formal",
    # Wellbeing (wellbeing/): HR's (and the named contact's), while under way.
    "set_wellbeing_contact",
    "record_checkin",
    # The employee's voice (voice/): HR's, at any step before the decision.
    "record_employee_told",
    "issue_account_link",
    "record_account",
    "withdraw",
]
OPEN = {"submitted", "informal", "panel", "signoff", "others"}
BEFORE_DECISION = OPEN - {"signoff"}


def may_act(world: World, person: str, target: Target) -> bool:
    """Who may take each action on each case of the world now (the flow table)."""
    if target.case is None:
        return False
    wc = world.cases[target.case]
    rel, key = wc.relation(person), target.case
    return {
        "triage": rel == HR and key in ("submitted", "others"),
        "resubmit": False,  # no case was returned to its manager
        "record_informal_outcome": rel in (HR, REFERRER) and key == "informal",
        "suggest_panel": rel == HR and key == "panel",
        "convene_panel": False,  # no case waits to be convened
        "replace_members": rel == HR and key == "panel",
        "declare": rel == UNDECLARED and key == "panel",
        "record_view": False,  # every cleared member has given their view
        "decide": False,  # the panel case waits for a member's view
        "signoff": rel == DM and key == "signoff",
        # The register (suspensions/): HR, on a case under way; the world's
        # one active measure is on the informal case.
        "record_suspension": rel == HR and key in OPEN | {"formal"} and key != "informal",
        "review_suspension": rel == HR and key == "informal",
        "lift_suspension": rel == HR and key == "informal",
        "withdraw": rel in (HR, REFERRER) and key in OPEN,
        # Wellbeing (wellbeing/): HR on any case under way (the world's contact
        # is HR, the owner; the body names the director, a decision-maker).
        "set_wellbeing_contact": rel == HR and key in OPEN | {"formal"},
        "record_checkin": rel == HR and key in OPEN | {"formal"},
        # The employee's voice (voice/): HR on a case before the panel decides.
        "record_employee_told": rel == HR and key in BEFORE_DECISION,
        "issue_account_link": rel == HR and key in BEFORE_DECISION,
        "record_account": rel == HR and key in BEFORE_DECISION,
        # The formal process (formal/): the bodies name the formal case's own
        # panel chair, whom the independence rule refuses (400), and the later
        # steps wait their turn (409); tests/formal takes each with an
        # independent person.
    }.get(target.action or "", False)


def asked(world: World, person: str, target: Target) -> bool:
    """Whether the matrix sends ``target`` as ``person``: every target but
    one. A case's action, for someone the case does not exist for (no login,
    or not a case of theirs to see), is refused before the action is read,
    so they are sent every action on the first case hidden from them and
    triage on each case: the other pairs would repeat those requests with
    other numbers. Whoever sees the case is sent every action on it."""
    if target.action not in ACTIONS or target.case is None:
        return True
    if person != "anonymous" and may_see_case(world, person, target.case):
        return True
    hidden = [k for k in CASE_KEYS if person == "anonymous" or not may_see_case(world, person, k)]
    return target.action == "triage" or target.case == hidden[0]


def action_targets(prefix: str) -> Callable[[World], list[Target]]:
    def targets(world: World) -> list[Target]:
        out = []
        for key, wc in world.cases.items():
            for act in [*ACTIONS, "no-such-action"]:
                out.append(Target(prefix.format(pk=wc.pk, action=act), f"{key}/{act}", key, act))
        return out

    return targets


def action_page(world: World, person: str, target: Target) -> Expect:
    if person == "anonymous":
        return anon_web(world)
    if target.action == "suggest_panel":
        # A pointer to the suggestion page, before anything is read.
        return Expect(S(302), no_content(world, person))
    if target.action not in ACTIONS:
        return Expect(S(404), no_content(world, person))
    assert target.case is not None
    if not may_see_case(world, person, target.case):
        return Expect(S(404), no_content(world, person))
    # The form, or (409) a notice that the action does not apply now.
    return Expect(S(200, 409), page_about(world, person, target.case))


def web_action_body(world: World, target: Target) -> dict[str, Any]:
    wc = world.cases[target.case or "submitted"]
    members = [world.users["panel_elsewhere"].pk]
    return {
        "version": wc.case.version,
        "route": "informal",
        "note": "Added the dates.",
        "resolved": "yes",
        "actions": "Facilitated conversation.",
        "reason": "Qzx posted reason",
        "members": members,
        "chair": world.users["panel_cleared"].pk,
        "no_conflict": "yes",
        "outcome": "informal_action",
        "comment": "Qzx posted comment",
        "rationale": "Qzx posted rationale for the decision.",
        "approve": "yes",
        # The register's actions (suspensions/).
        "kind": "suspension",
        "decided_by": world.users["director"].pk,
        "started_on": _today(),
        "reviewed_on": _today(),
        "lifted_on": _today(),
        "decision": "continue",
        # Wellbeing (wellbeing/).
        "wellbeing_contact": world.users["director"].pk,
        "held_on": _today(),
        "how": "phone",
        "declined": "no",
        # The employee's voice (voice/).
        "told_on": _today(),
        "method": "phone",
        "source": "meeting",
        "text": "Qzx posted account",
        "meeting_on": _today(),
    }


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().strftime("%d/%m/%Y")


def refused_web_action(world: World, person: str, target: Target) -> frozenset[int]:
    if person == "anonymous":
        return S(302)
    if target.action == "suggest_panel":  # a page of its own: no form to post
        return S(404)
    if target.action not in ACTIONS or not may_see_case(world, person, target.case or ""):
        return S(404)
    return S(400, 403, 409)


def api_action_body(world: World, target: Target) -> dict[str, Any]:
    """A well-formed body for each action, so what refuses it is the rules."""
    users = world.users
    panel = [users[p].pk for p in ("panel_cleared", "panel_b", "panel_elsewhere")]
    bodies: dict[str, dict[str, Any]] = {
        "triage": {"route": "informal"},
        "resubmit": {"note": "Added the dates."},
        "record_informal_outcome": {"resolved": True, "actions": "Facilitated conversation."},
        "convene_panel": {"members": panel, "chair": users["panel_cleared"].pk},
        "replace_members": {"members": [users["panel_elsewhere"].pk]},
        "declare": {"no_conflict": True},
        "record_view": {"outcome": "informal_action", "comment": "Qzx posted comment"},
        "decide": {"outcome": "informal_action", "rationale": "Qzx posted rationale."},
        "signoff": {"approve": True, "reason": "Proportionate to the concern."},
        "withdraw": {"reason": "Qzx posted reason"},
        "record_suspension": {
            "kind": "suspension",
            "reason": "Qzx posted reason",
            "decided_by": users["director"].pk,
            "started_on": _iso_today(),
        },
        "review_suspension": {
            "reviewed_on": _iso_today(),
            "decision": "continue",
            "reason": "Qzx posted reason",
        },
        "lift_suspension": {"lifted_on": _iso_today(), "reason": "Qzx posted reason"},
        "set_wellbeing_contact": {"wellbeing_contact": users["director"].pk},
        "record_checkin": {"held_on": _iso_today(), "how": "phone"},
        "record_employee_told": {"told_on": _iso_today(), "method": "phone"},
        "issue_account_link": {},
        "record_account": {
            "source": "meeting",
            "text": "Qzx posted account",
            "meeting_on": _iso_today(),
        },
        # The formal process (formal/): each names the case's own panel chair,
        # whom the independence rule refuses (HR gets a 400 saying why, or a
        # 409 for a step not yet due); everyone else is refused by the rules.
        "name_investigator": {"investigator": users["panel_cleared"].pk},
        "record_investigation_outcome": {
            "investigation_outcome": "no_case",
            "reason": "Qzx posted reason",
        },
        "schedule_hearing": {
            "hearing_on": f"{_iso_today()}T10:00:00Z",
            "chair": users["panel_cleared"].pk,
            "accompaniment_told": True,
        },
        "record_hearing_outcome": {"held_on": _iso_today(), "sanction": "none"},
        "lodge_appeal": {
            "lodged_on": _iso_today(),
            "grounds": "Qzx posted grounds",
            "hearer": users["panel_cleared"].pk,
        },
        "record_appeal_outcome": {"appeal_outcome": "not_upheld"},
    }
    return bodies.get(target.action or "", {})


def _iso_today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def refused_api_action(world: World, person: str, target: Target) -> frozenset[int]:
    if person == "anonymous":
        return S(401)
    if target.action not in ACTIONS or not may_see_case(world, person, target.case or ""):
        return S(404)
    return S(400, 403, 409)


def api_action_targets(act: str, one_case: bool = False) -> Callable[[World], list[Target]]:
    """An API action on each case of the world, or (``one_case``, for GETs)
    on the panel case alone: the API's actions are POSTs, and a GET is
    refused (405, or 401 without a login) before any case is read, so the
    other six cases would repeat the same request with another number."""

    def targets(world: World) -> list[Target]:
        keys = ["panel"] if one_case else list(world.cases)
        label = act if act in ACTIONS else "qzx"
        return [
            Target(f"/api/v1/referrals/{world.cases[k].pk}/actions/{act}/", k, k, label)
            for k in keys
        ]

    return targets


def api_action_page(world: World, person: str, target: Target) -> Expect:
    if person == "anonymous":
        return anon_api(world)
    return Expect(S(405), no_content(world, person))  # actions are POSTs


def notification_targets(world: World) -> list[Target]:
    return [Target(f"/notifications/{world.notification_id}/read/", "manager's")]


# API -----------------------------------------------------------------------


def api(
    ok: Callable[[str], frozenset[int]],
    forbidden: Callable[[World, str], list[str]] = listing,
) -> Callable[[World, str, Target], Expect]:
    def expect(world: World, person: str, target: Target) -> Expect:
        if person == "anonymous":
            return anon_api(world)
        return Expect(ok(person), forbidden(world, person))

    return expect


def api_case(explorer_only: bool = False, hr_only: bool = False) -> Any:
    def expect(world: World, person: str, target: Target) -> Expect:
        if person == "anonymous":
            return anon_api(world)
        if target.case is None or not may_see_case(world, person, target.case):
            return Expect(S(404), no_content(world, person))
        if explorer_only and not is_explorer(person):
            return Expect(S(403), no_content(world, person))
        if hr_only and person != "hr":
            return Expect(S(403), no_content(world, person))
        return Expect(S(200, 409) if hr_only else S(200), page_about(world, person, target.case))

    return expect


def managers_only_post(json_body: bool) -> PostSpec:
    return PostSpec(
        body=lambda world, target: referral_form(world),
        may_succeed=lambda world, person, target: WEB_ROLES.get(person) == "manager",
        refused=lambda world, person, target: (
            S(401 if json_body else 302) if person == "anonymous" else S(403)
        ),
        json=json_body,
    )


def anyone_logged_in_post(body: dict[str, Any], json_body: bool = False) -> PostSpec:
    return PostSpec(
        body=lambda world, target: body,
        may_succeed=lambda world, person, target: person != "anonymous",
        refused=lambda world, person, target: S(401 if json_body else 302),
        json=json_body,
    )


# Accounts ------------------------------------------------------------------


def public(ok: frozenset[int], logged_in: frozenset[int] | None = None) -> Any:
    def expect(world: World, person: str, target: Target) -> Expect:
        codes = ok if person == "anonymous" or logged_in is None else logged_in
        return Expect(codes, no_content(world, person))

    return expect


def login_required(ok: frozenset[int]) -> Any:
    return web(lambda person: ok, no_content)


# Admin ---------------------------------------------------------------------

# Admins that show records and never add or delete them (the services write them).
READ_ONLY_ADMINS = {
    "workflow_case",
    "workflow_signoff",
    "panels_panel",
    "panels_paneldecision",
    "panels_declaration",
    "panels_panelview",
    "audit_auditevent",
    "reports_headcount",
    "reports_historicalentry",
    "reports_referralhistory",
}
# Admins that cannot add (viewflow's processes and tasks start in a flow).
NO_ADD_ADMINS = {"viewflow_process", "viewflow_task"}
# Admins of rows made with each trust (letters.seed): changed, never added or deleted.
SEEDED_ADMINS = {"letters_lettertemplate", "letters_letterhead"}


def admin_object(world: World, model_key: str) -> Any:
    """The record an admin page of ``model_key`` is opened on: the one holding
    the most guarded content where there is a choice."""
    panel = world.cases["panel"]
    if model_key == "workflow_case":
        return panel.pk
    if model_key == "staff_employee":
        return panel.employee.pk
    if model_key == "auth_user":
        return world.users["superuser"].pk
    from django.contrib import admin

    model: Any = next(
        m for m in admin.site._registry if f"{m._meta.app_label}_{m._meta.model_name}" == model_key
    )
    if model_key == "panels_declaration":
        row = model.objects.filter(no_conflict=False).first()
    elif model_key == "audit_auditevent":
        row = model.objects.filter(action="declare").exclude(reason="").first()
    else:
        row = model.objects.order_by("pk").first()
    return row.pk if row is not None else MISSING_PK


def admin_model_key(pattern: str) -> str:
    """``app_model`` of an admin route about a registered model, else ""."""
    from django.contrib import admin

    for model in admin.site._registry:
        opts = model._meta
        if pattern.startswith(f"admin/{opts.app_label}/{opts.model_name}/"):
            return f"{opts.app_label}_{opts.model_name}"
    return ""


def admin_targets(route: Route) -> Callable[[World], list[Target]]:
    def targets(world: World) -> list[Target]:
        path = route.pattern
        if path.startswith("admin/^"):  # the app index
            return [Target("/admin/staff/", "staff app")]
        if path == "admin/(?P<url>.*)$":
            return [Target("/admin/qzx-nowhere/", "nowhere")]
        if "<path:content_type_id>" in path:
            from django.contrib.contenttypes.models import ContentType

            ct = ContentType.objects.get(app_label="workflow", model="case").pk
            return [Target(f"/admin/r/{ct}/{world.cases['panel'].pk}/", "case on site")]
        model_key = admin_model_key(path)
        obj = admin_object(world, model_key) if model_key else None
        url = "/" + path.replace("<path:object_id>", str(obj)).replace("<id>", str(obj))
        about_one = "<path:object_id>" in path or "<id>" in path
        label = ("missing" if obj == MISSING_PK else str(obj)) if about_one else "-"
        return [Target(url, label)]

    return targets


def admin_kind(route: Route) -> tuple[str, str]:
    """(model key, page kind) of an admin route."""
    model_key = admin_model_key(route.pattern)
    if not model_key:
        return "", route.name.removeprefix("admin:") or route.pattern
    if route.name:
        return model_key, route.name.removeprefix(f"admin:{model_key}_")
    return model_key, "object"  # <path:object_id>/: redirects to the change page


def admin_expect(route: Route) -> Callable[[World, str, Target], Expect]:
    model_key, kind = admin_kind(route)

    def expect(world: World, person: str, target: Target) -> Expect:
        if person != "superuser":
            if kind == "login":
                return Expect(S(200), no_content(world, person))
            if kind == "logout":  # nobody's session to end: back to the admin
                return Expect(S(302), no_content(world, person), "/admin/")
            return Expect(S(302), no_content(world, person), ADMIN_LOGIN)
        # The superuser: reference data and records, but ethnicity in no list,
        # and a conflict's reason nowhere (HR only).
        everything = all_markers(world)
        conflict = [world.cases["panel"].conflict_reason]
        ethnicity = [m for wc in world.cases.values() for m in wc.markers()["ethnicity"]]
        no_list = sorted(set(conflict + ethnicity))
        if kind == "changelist":
            return Expect(S(200), no_list)
        if (kind in ("add", "delete") and model_key in READ_ONLY_ADMINS | SEEDED_ADMINS) or (
            kind == "add" and model_key in NO_ADD_ADMINS
        ):
            return Expect(S(403), everything)
        if target.obj == "missing":
            return Expect(S(302), everything)  # no such record: back to the list
        if kind == "add" and model_key == "staff_employee":
            # The form's choice of categories lists every label, nobody's.
            return Expect(S(200), conflict)
        if kind in ("change", "delete", "history", "add", "password_change"):
            return Expect(S(200), conflict)
        if kind == "object":
            return Expect(S(302), everything)
        if kind in ("login",):
            return Expect(S(302), everything)
        if kind == "logout":
            return Expect(S(405), everything)
        if kind in ("view_on_site",):
            return Expect(S(302, 404), everything)
        if kind == "admin/(?P<url>.*)$":
            return Expect(S(404), everything)
        # index, app list, password change, jsi18n, autocomplete (400 without its parameters)
        # (the autocomplete refuses a request without its parameters)
        return Expect(S(403) if kind == "autocomplete" else S(200), no_list)

    return expect


def admin_post(route: Route) -> PostSpec | None:
    _, kind = admin_kind(route)
    if kind not in ("add", "change", "delete", "password_change", "logout"):
        return None
    return PostSpec(
        body=lambda world, target: {"name": "Qzx posted", "post": "yes"},
        may_succeed=lambda world, person, target: person == "superuser",
        refused=lambda world, person, target: S(302),
    )


# Self-assessment and action plans ------------------------------------------------


def assurance_targets(template: str) -> Callable[[World], list[Target]]:
    """A page about the world's question, document or action (``world.assurance``)."""
    return lambda world: [Target(template.format(**world.assurance), "assurance")]


def hr_only_post(body: Callable[[World, Target], dict[str, Any]]) -> PostSpec:
    return PostSpec(
        body=body,
        may_succeed=lambda world, person, target: person == "hr",
        refused=lambda world, person, target: S(302 if person == "anonymous" else 403),
    )


def assurance_action_body(world: World, target: Target) -> dict[str, Any]:
    return {
        "title": "Qzx posted action",
        "org_unit": world.assurance["unit"],
        "indicator": "wres3",
        "owner": world.users["director"].pk,
        "due_on": "31/03/2030",
        "status": "open",
        "committee": "People Committee",
    }


# Case notes ---------------------------------------------------------------------


def note_body(world: World, target: Target) -> dict[str, Any]:
    return {"text": "Qzx posted note", "audience": "case"}


def may_write_note(world: World, person: str, target: Target) -> bool:
    """HR advisers on a case they did not refer (the world's owner is HR too)."""
    return target.case is not None and world.cases[target.case].relation(person) == HR


def refused_note(world: World, person: str, target: Target) -> frozenset[int]:
    if person == "anonymous":
        return S(302)
    if target.case is None or not may_see_case(world, person, target.case):
        return S(404)
    return S(403)


# Case documents -------------------------------------------------------------------


def document_body(world: World, target: Target) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("posted.txt", b"Qzx posted document", content_type="text/plain")
    return {"title": "Qzx posted document", "kind": "other", "audience": "case", "file": upload}


def document_targets(world: World) -> list[Target]:
    """Each case's HR-only and everyone's document (version 1), a version
    that does not exist, and a document that does not exist."""
    out = []
    for key, wc in world.cases.items():
        for audience, doc in wc.document_ids.items():
            url = f"/cases/{wc.pk}/documents/{doc}/v1/"
            out.append(Target(url, f"{key}/{audience}", key, audience))
        out.append(Target(f"/cases/{wc.pk}/documents/{doc}/v9/", f"{key}/no-version", key))
    missing = f"/cases/{MISSING_PK}/documents/{MISSING_PK}/v1/"
    return [*out, Target(missing, "missing")]


def document_download(world: World, person: str, target: Target) -> Expect:
    """A version streams to whoever its audience names; anyone else, and any
    version that does not exist, gets the same 404."""
    if person == "anonymous":
        return anon_web(world)
    readers = {"hr": {HR}, "case": {HR, DM, REFERRER, CLEARED}}.get(target.action or "", set())
    if target.case is None or world.cases[target.case].relation(person) not in readers:
        return Expect(S(404), no_content(world, person))
    return Expect(S(200), no_content(world, person))


# Letters (web/letters.py) ----------------------------------------------------------


def letters_page(world: World, person: str, target: Target) -> Expect:
    """HR on the case only: 403 to anyone else who sees it, 404 to the rest."""
    if person == "anonymous":
        return anon_web(world)
    if target.case is None or not may_see_case(world, person, target.case):
        return Expect(S(404), no_content(world, person))
    if world.cases[target.case].relation(person) != HR:
        return Expect(S(403), no_content(world, person))
    return Expect(S(200), page_about(world, person, target.case))


def letter_body(world: World, target: Target) -> dict[str, Any]:
    """A well formed invitation, and a well formed "sent" for the world's letter."""
    from django.utils import timezone

    prefix = f"s{world.letter_id}-"
    return {
        "kind": "meeting_invitation",
        "meeting_date": "07/01/2030",
        "meeting_time": "10:00",
        "meeting_place": "Qzx room",
        f"{prefix}sent_on": timezone.localdate().strftime("%d/%m/%Y"),
        f"{prefix}how": "email",
    }


def may_send_letter(world: World, person: str, target: Target) -> bool:
    if target.case is None or world.cases[target.case].relation(person) != HR:
        return False
    if target.action == "letter":  # the world's letter, under each case's address
        return target.case == "panel"
    return target.action != "missing-letter"


def refused_letter(world: World, person: str, target: Target) -> frozenset[int]:
    if person == "anonymous":
        return S(302)
    if target.case is None or not may_see_case(world, person, target.case):
        return S(404)
    if world.cases[target.case].relation(person) != HR:
        return S(403)
    return S(404)  # the world's letter is the panel case's alone


def letter_sent_targets(world: World) -> list[Target]:
    """The world's letter (the panel case's) under each case's address, and a missing one."""
    out = [
        Target(f"/cases/{wc.pk}/letters/{world.letter_id}/sent/", key, key, "letter")
        for key, wc in world.cases.items()
    ]
    missing = f"/cases/{world.cases['panel'].pk}/letters/{MISSING_PK}/sent/"
    return [*out, Target(missing, "missing", "panel", "missing-letter")]


# Panel meetings (web/meetings.py) ------------------------------------------------


def meeting_targets(template: str) -> Callable[[World], list[Target]]:
    """The world's meeting (the panel case's) under each case's address: only
    under its own case is it found; and a missing meeting."""

    def targets(world: World) -> list[Target]:
        out = [
            Target(template.format(pk=wc.pk, meeting=world.meeting_id), key, key)
            for key, wc in world.cases.items()
        ]
        missing = template.format(pk=world.cases["panel"].pk, meeting=MISSING_PK)
        return [*out, Target(missing, "missing")]

    return targets


def meeting_invite_page(world: World, person: str, target: Target) -> Expect:
    """The .ics: whoever may see the panel case (a member yet to declare too)."""
    if person == "anonymous":
        return anon_web(world)
    if target.case != "panel" or not may_see_case(world, person, "panel"):
        return Expect(S(404), no_content(world, person))
    return Expect(S(200), page_about(world, person, "panel"))


def meeting_body(world: World, target: Target) -> dict[str, Any]:
    """Well formed, so what refuses it is the rules (the minutes' file aside)."""
    return {
        "starts_at": "2030-01-07T10:00",
        "ends_at": "2030-01-07T11:00",
        "place": "Qzx room",
        "video_link": "",
        "reason": "Qzx posted reason",
        "present": [world.users["panel_cleared"].pk],
    }


def may_arrange_meeting(world: World, person: str, target: Target) -> bool:
    return person == "hr" and target.case == "panel"


def refused_meeting(world: World, person: str, target: Target) -> frozenset[int]:
    if person == "anonymous":
        return S(302)
    if target.case is None or not may_see_case(world, person, target.case):
        return S(404)
    if target.action == "meeting" and target.case != "panel":
        return S(404)  # the meeting is not this case's
    return S(400, 403, 409)


def meeting_post_spec() -> PostSpec:
    return PostSpec(meeting_body, may_arrange_meeting, refused_meeting)


def meeting_route(template: str) -> Spec:
    """A POST-only meeting route (405 to a GET), about the world's meeting."""
    return Spec(
        lambda world: [
            Target(t.url, t.obj, t.case, "meeting") for t in meeting_targets(template)(world)
        ],
        web(everyone(405), no_content),
        post=meeting_post_spec(),
    )


# --- the table ------------------------------------------------------------------

PACK = {"governance", "hr", "dm"}


def retention_status(person: str, target: Target) -> frozenset[int]:
    """The retention confirm page: HR only; no case in the world is due."""
    if WEB_ROLES[person] != "hr":
        return S(403)
    return S(404) if target.case is None else S(409)


def build_specs() -> dict[str, Spec]:
    """Every declared route, by its full pattern. Absent routes are allowed
    (declared ahead of their arrival); present undeclared ones fail."""
    strip_department_filter: Callable[[str], str] = lambda body: re.sub(  # noqa: E731
        r'<select name="org_unit">.*?</select>', "", body, flags=re.S
    )
    return {
        # The Site.
        "": Spec(
            fixed("/"),
            lambda world, person, target: Expect(S(200, 302), no_content(world, person)),
        ),
        "cases/": Spec(fixed("/cases/"), web(everyone(302), no_content)),
        "cases/inbox/": Spec(fixed("/cases/inbox/"), web(everyone(200))),
        # The department filter lists the trust's departments (reference
        # data); which case is in which is what is guarded.
        "cases/all/": Spec(fixed("/cases/all/"), web(everyone(200)), scrub=strip_department_filter),
        # The case list's download (web/case_export.py): HR advisers only,
        # each case as the list shows it to them.
        "cases/all/export.<str:fmt>": Spec(
            lambda world: [
                Target("/cases/all/export.csv", "csv"),
                Target("/cases/all/export.xlsx", "xlsx"),
            ],
            web(only({"hr"}, S(200))),
        ),
        "cases/new/": Spec(
            fixed("/cases/new/"),
            web(only({"manager"}, S(200)), no_content),
            post=managers_only_post(json_body=False),
        ),
        # The referral form's employee picker (web/referrals.py): JSON for
        # referring managers, matching every world employee ("Employee ...").
        # It shows each one's department, reference data like the list's
        # department filter; nothing of any case.
        "cases/new/employees/": Spec(
            fixed("/cases/new/employees/?q=Employee"),
            web(only({"manager"}, S(200)), no_content_but_units),
        ),
        "cases/<int:pk>/": Spec(per_case("/cases/{pk}/"), case_page()),
        "cases/<int:pk>/path/": Spec(per_case("/cases/{pk}/path/"), case_page(explorer_only=True)),
        "cases/<int:pk>/panel-suggestion/": Spec(
            per_case("/cases/{pk}/panel-suggestion/"), suggestion_page
        ),
        # Panel meetings (web/meetings.py): HR arranges them on the panel case
        # (HR or the chair records attendance, once it has met: 409 before);
        # the .ics for whoever may see the case.
        "cases/<int:pk>/meetings/schedule/": Spec(
            per_case("/cases/{pk}/meetings/schedule/"),
            web(everyone(405), no_content),
            post=meeting_post_spec(),
        ),
        "cases/<int:pk>/meetings/<int:meeting>/change/": meeting_route(
            "/cases/{pk}/meetings/{meeting}/change/"
        ),
        "cases/<int:pk>/meetings/<int:meeting>/cancel/": meeting_route(
            "/cases/{pk}/meetings/{meeting}/cancel/"
        ),
        "cases/<int:pk>/meetings/<int:meeting>/attendance/": meeting_route(
            "/cases/{pk}/meetings/{meeting}/attendance/"
        ),
        "cases/<int:pk>/meetings/<int:meeting>/minutes/": meeting_route(
            "/cases/{pk}/meetings/{meeting}/minutes/"
        ),
        "cases/<int:pk>/meetings/<int:meeting>/invite.ics": Spec(
            meeting_targets("/cases/{pk}/meetings/{meeting}/invite.ics"), meeting_invite_page
        ),
        # Case notes (web/case_notes.py): whoever sees the case reads the notes
        # their audience allows; HR on the case (and its owner) add them.
        "cases/<int:pk>/notes/": Spec(
            per_case("/cases/{pk}/notes/"),
            case_page(),
            post=PostSpec(note_body, may_write_note, refused_note),
        ),
        # Wellbeing check-ins (web/wellbeing.py): HR on the case and its named
        # contact (the world's contact is HR, the owner); 403 to anyone else
        # who sees the case, 404 to the rest.
        "cases/<int:pk>/checkins/": Spec(per_case("/cases/{pk}/checkins/"), checkins_page),
        # Letters (web/letters.py): HR on the case lists and generates them and
        # records each sent (POST only); the PDF downloads as a case document.
        "cases/<int:pk>/letters/": Spec(
            per_case("/cases/{pk}/letters/"),
            letters_page,
            post=PostSpec(letter_body, may_send_letter, refused_letter),
        ),
        "cases/<int:pk>/letters/<int:letter>/sent/": Spec(
            letter_sent_targets,
            web(everyone(405), no_content),
            post=PostSpec(letter_body, may_send_letter, refused_letter),
        ),
        # Case owners and delegations (web/case_owners.py). Changing an owner is
        # an HR lead's alone (no matrix person is one: tests/web/test_case_owners.py
        # walks the lead's pages); anyone with a login sets their own delegation.
        "cases/<int:pk>/owner/": Spec(
            per_case("/cases/{pk}/owner/"),
            web(everyone(403), no_content),
            post=PostSpec(
                body=lambda world, target: {"new_owner": "1", "reason": "Caseload."},
                may_succeed=lambda world, person, target: False,
                refused=lambda world, person, target: S(302 if person == "anonymous" else 403),
            ),
        ),
        "cases/owners/": Spec(
            fixed("/cases/owners/"),
            web(everyone(403), no_content),
            post=PostSpec(
                body=lambda world, target: {"from_user": "1", "to_user": "2", "reason": "Left."},
                may_succeed=lambda world, person, target: False,
                refused=lambda world, person, target: S(302 if person == "anonymous" else 403),
            ),
        ),
        "cases/away/": Spec(
            fixed("/cases/away/"),
            web(everyone(200), no_content),
            post=anyone_logged_in_post(
                {"delegate": "nobody.such", "starts_on": "2026-01-05", "ends_on": "2026-01-09"}
            ),
        ),
        "cases/away/<int:delegation>/end/": Spec(
            fixed(f"/cases/away/{MISSING_PK}/end/"),
            web(everyone(405), no_content),
            post=PostSpec(
                body=lambda world, target: {},
                may_succeed=lambda world, person, target: False,
                refused=lambda world, person, target: S(302 if person == "anonymous" else 404),
            ),
        ),
        # Case documents (web/case_documents.py): whoever sees the case lists
        # the titles their audience allows; HR on the case (and its owner)
        # upload; each version downloads only to its audience (else 404).
        "cases/<int:pk>/documents/": Spec(
            per_case("/cases/{pk}/documents/"),
            case_page(),
            post=PostSpec(document_body, may_write_note, refused_note),
        ),
        "cases/<int:pk>/documents/<int:doc>/v<int:number>/": Spec(
            document_targets, document_download
        ),
        "cases/<int:pk>/<slug:action>/": Spec(
            action_targets("/cases/{pk}/{action}/"),
            action_page,
            post=PostSpec(web_action_body, may_act, refused_web_action),
        ),
        "cases/my-panels/": Spec(fixed("/cases/my-panels/"), web(only({"panel"}, S(200)))),
        "cases/panels/": Spec(fixed("/cases/panels/"), web(only({"hr"}, S(200)))),
        "cases/overview/": Spec(fixed("/cases/overview/"), web(only(PACK, S(200)), no_content)),
        "audit/": Spec(fixed("/audit/"), web(only({"hr", "dm"}, S(200)), audit_forbidden)),
        "audit/export.<str:fmt>": Spec(
            lambda world: [
                Target("/audit/export.csv", "csv"),
                Target("/audit/export.xlsx", "xlsx"),
            ],
            web(only({"hr", "dm"}, S(200)), audit_forbidden),
        ),
        # Subject access (web/subject_access.py): HR advisers only; the form
        # page shows no case content, and a refused post produces no pack.
        "audit/subject-access/": Spec(
            fixed("/audit/subject-access/"),
            web(only({"hr"}, S(200)), no_content),
            post=PostSpec(
                body=lambda world, target: {
                    "staff_number": world.cases["panel"].employee.staff_number,
                    "request_reference": "SAR-qzx",
                },
                may_succeed=lambda world, person, target: person == "hr",
                refused=lambda world, person, target: S(302 if person == "anonymous" else 403),
            ),
        ),
        # Retention (web/retention.py): HR advisers only. No file in the
        # world is due (every case is recent), so HR's confirm page and post
        # are a 409 notice with no form, or a 404 for a missing case, and
        # nothing is destroyed.
        "audit/retention/": Spec(fixed("/audit/retention/"), web(only({"hr"}, S(200)), no_content)),
        # The suspension register (web/suspensions.py): HR advisers only;
        # references, kinds and dates, no case content; its CSV the same.
        "suspensions/": Spec(fixed("/suspensions/"), web(only({"hr"}, S(200)), no_content)),
        "suspensions/export.csv": Spec(
            fixed("/suspensions/export.csv", "csv"), web(only({"hr"}, S(200)), no_content)
        ),
        "audit/retention/<int:pk>/": Spec(
            per_case("/audit/retention/{pk}/"),
            lambda world, person, target: (
                anon_web(world)
                if person == "anonymous"
                else Expect(retention_status(person, target), no_content(world, person))
            ),
            post=PostSpec(
                body=lambda world, target: {
                    "reference": world.cases[target.case].case.reference if target.case else "x",
                    "reason": "Qzx retention reason",
                },
                may_succeed=lambda world, person, target: False,
                refused=lambda world, person, target: (
                    S(302) if person == "anonymous" else retention_status(person, target)
                ),
            ),
        ),
        "reports/": Spec(fixed("/reports/"), web(only(PACK, S(200)), no_content)),
        "reports/governance/": Spec(
            fixed("/reports/governance/"), web(only(PACK, S(200)), no_content)
        ),
        "reports/governance/export.<str:fmt>": Spec(
            lambda world: [
                Target("/reports/governance/export.csv", "csv"),
                Target("/reports/governance/export.xlsx", "xlsx"),
            ],
            web(only(PACK, S(200)), no_content),
        ),
        # The early warning (web/early_warning.py): the pack's readers; HR and
        # decision-makers see managers, governance units only, suppressed.
        "reports/early-warning/": Spec(
            fixed("/reports/early-warning/"), web(only(PACK, S(200)), no_content_but_units)
        ),
        "reports/early-warning/export.csv": Spec(
            fixed("/reports/early-warning/export.csv", "csv"),
            web(only(PACK, S(200)), no_content_but_units),
        ),
        # HR's "compute now": a POST for those who see managers (HR and
        # decision-makers); governance sees units only and may not.
        "reports/early-warning/compute/": Spec(
            fixed("/reports/early-warning/compute/"),
            web(only(PACK, S(405)), no_content),
            post=PostSpec(
                body=lambda world, target: {"as_at": "2025-03-31", "window": "24"},
                may_succeed=lambda world, person, target: WEB_ROLES.get(person) in ("hr", "dm"),
                refused=lambda world, person, target: S(302 if person == "anonymous" else 403),
            ),
        ),
        # The regional benchmark (web/regional.py): regional viewers only, a
        # deployment-wide role nobody in the world holds; no case content.
        "regional/": Spec(fixed("/regional/"), web(only(set(), S(200)), no_content)),
        "regional/pack.<str:fmt>": Spec(
            lambda world: [
                Target("/regional/pack.csv", "csv"),
                Target("/regional/pack.xlsx", "xlsx"),
            ],
            web(only(set(), S(200)), no_content),
        ),
        # Freedom to Speak Up (web/speakup.py): anyone may open the form and
        # the follow-up (anonymously, without a login); a bad post is a 400
        # for everyone and raises nothing. Only guardians (no matrix person)
        # see concerns: everyone else 403 on the list, a concern and its
        # actions; a reporter sees their own (the manager's open concern).
        # The form offers the trust's departments and the ethnic categories
        # (reference data): scrubbed, as the case list's department filter.
        # The employee's single-use link (web/account_link.py): no login; a
        # token that is not a live link's is the same "no longer works" page
        # for everyone (404, or 429 once one address has tried too many),
        # showing nothing of any case. A live link's page is tested in
        # tests/voice/test_page.py (the world keeps no raw token).
        "account/": Spec(fixed("/account/"), public(S(302))),
        "account/<str:token>/": Spec(
            lambda world: [
                Target(f"/account/{world.trust.pk}.{'Q' * 43}/", "unknown"),
                Target("/account/not-a-token/", "malformed"),
            ],
            public(S(404, 429)),
            post=PostSpec(
                body=lambda world, target: {"text": "Qzx my account."},
                may_succeed=lambda world, person, target: False,
                refused=lambda world, person, target: S(404, 429),
            ),
        ),
        "speak-up/": Spec(
            fixed("/speak-up/"),
            speak_up_page(S(200)),
            scrub=strip_speak_up_choices,
            post=PostSpec(
                body=lambda world, target: {"route": "anonymous", "topic": "x", "account": ""},
                may_succeed=lambda world, person, target: False,
                refused=lambda world, person, target: S(400),
            ),
        ),
        "speak-up/follow-up/": Spec(
            fixed("/speak-up/follow-up/"),
            speak_up_page(S(200)),
            post=PostSpec(
                body=lambda world, target: {
                    "case_key": "ZZZZ-ZZZZ-ZZZZ-ZZZZ",
                    "passphrase": "qzx-wrong",
                    "body": "Qzx follow-up",
                },
                may_succeed=lambda world, person, target: False,
                refused=lambda world, person, target: S(400, 429),
            ),
        ),
        "speak-up/mine/": Spec(fixed("/speak-up/mine/"), speak_up_login(S(200))),
        "speak-up/mine/<int:pk>/": Spec(
            concern_targets("/speak-up/mine/{pk}/"),
            own_concern_page,
            post=PostSpec(
                body=lambda world, target: {"body": ""},
                may_succeed=lambda world, person, target: False,
                refused=lambda world, person, target: (
                    S(302)
                    if person == "anonymous"
                    else S(400)
                    if person == "manager" and target.obj == "open"
                    else S(404)
                ),
            ),
        ),
        "speak-up/concerns/": Spec(fixed("/speak-up/concerns/"), speak_up_login(S(403))),
        "speak-up/concerns/<int:pk>/": Spec(
            concern_targets("/speak-up/concerns/{pk}/"), speak_up_login(S(403))
        ),
        "speak-up/concerns/<int:pk>/<slug:action>/": Spec(
            lambda world: [
                t
                for action in ("acknowledge", "reply", "categorise", "close")
                for t in concern_targets(f"/speak-up/concerns/{{pk}}/{action}/")(world)
            ],
            speak_up_login(S(403)),
            post=PostSpec(
                body=lambda world, target: {"body": "Qzx", "feedback": "Qzx", "racism": "on"},
                may_succeed=lambda world, person, target: False,
                refused=lambda world, person, target: S(302 if person == "anonymous" else 403),
            ),
        ),
        # Self-assessment and action plans (web/assurance.py): HR edits and
        # answers; HR, decision-makers and governance read the grid and every
        # action; anyone else with a role sees the actions they own (none here).
        # No page shows case content.
        "assurance/": Spec(fixed("/assurance/"), web(only(PACK, S(200)), no_content)),
        "assurance/grid/": Spec(
            fixed("/assurance/grid/?set=inclusion"), web(only(PACK, S(200)), no_content)
        ),
        "assurance/questions/": Spec(
            fixed("/assurance/questions/"), web(only({"hr"}, S(200)), no_content)
        ),
        "assurance/questions/new/": Spec(
            fixed("/assurance/questions/new/?set=wres3"),
            web(only({"hr"}, S(200)), no_content),
            post=hr_only_post(lambda world, target: {"text": "Qzx posted question"}),
        ),
        "assurance/questions/seed/": Spec(
            fixed("/assurance/questions/seed/"),
            web(only({"hr"}, S(405)), no_content),
            post=hr_only_post(lambda world, target: {"set": "inclusion"}),
        ),
        "assurance/questions/<int:pk>/": Spec(
            assurance_targets("/assurance/questions/{question}/"),
            web(only({"hr"}, S(200)), no_content),
            post=hr_only_post(lambda world, target: {"text": "Qzx posted", "position": 1}),
        ),
        "assurance/questions/<int:pk>/retire/": Spec(
            assurance_targets("/assurance/questions/{question}/retire/"),
            web(only({"hr"}, S(405)), no_content),
            post=hr_only_post(lambda world, target: {"retire": "yes"}),
        ),
        "assurance/answer/": Spec(
            assurance_targets(
                "/assurance/answer/?question={question}&unit={unit}&year={year}&quarter=1"
            ),
            web(only({"hr"}, S(200)), no_content),
            post=hr_only_post(
                lambda world, target: {
                    "rating": "met",
                    "evidence": "Qzx posted evidence",
                    "owner": world.users["director"].pk,
                }
            ),
        ),
        "assurance/documents/<int:pk>/": Spec(
            assurance_targets("/assurance/documents/{document}/"),
            web(only({"hr"}, S(200)), no_content),
        ),
        "assurance/actions/": Spec(
            fixed("/assurance/actions/"),
            web(lambda person: S(200) if WEB_ROLES[person] else S(403), no_content),
        ),
        "assurance/actions/new/": Spec(
            fixed("/assurance/actions/new/"),
            web(only({"hr"}, S(200)), no_content),
            post=hr_only_post(assurance_action_body),
        ),
        "assurance/actions/<int:pk>/": Spec(
            assurance_targets("/assurance/actions/{action}/"),
            web(only({"hr"}, S(200)), no_content),
            post=hr_only_post(assurance_action_body),
        ),
        # Notifications name a case by its reference only.
        "notifications/": Spec(fixed("/notifications/"), web(everyone(200), no_content)),
        "notifications/<int:pk>/read/": Spec(
            notification_targets,
            web(everyone(405), no_content),
            post=PostSpec(
                body=lambda world, target: {},
                may_succeed=lambda world, person, target: person == world.notification_owner,
                refused=lambda world, person, target: S(302 if person == "anonymous" else 404),
            ),
        ),
        "notifications/read-all/": Spec(
            fixed("/notifications/read-all/"),
            web(everyone(405), no_content),
            post=anyone_logged_in_post({}),
        ),
        "notifications/preferences/": Spec(
            fixed("/notifications/preferences/"),
            web(everyone(200), no_content),
            post=anyone_logged_in_post({"email_mode": "digest"}),
        ),
        # Choosing the trust to act for (web/trusts.py): any logged-in person
        # sees the page (with their trusts, or none); a choice they may not
        # make is refused and writes nothing. The cross-trust tests choose.
        "accounts/trust/": Spec(
            fixed("/accounts/trust/"),
            login_required(S(200)),
            post=PostSpec(
                body=lambda world, target: {"trust": MISSING_PK},
                may_succeed=lambda world, person, target: False,
                refused=lambda world, person, target: S(302 if person == "anonymous" else 400),
            ),
        ),
        # viewflow's AuthViewset.
        "accounts/login/": Spec(fixed("/accounts/login/"), public(S(200), S(200, 302))),
        "accounts/logout/": Spec(fixed("/accounts/logout/"), public(S(302, 405))),
        "accounts/password_change/": Spec(
            fixed("/accounts/password_change/"), login_required(S(200))
        ),
        "accounts/password_change/done/": Spec(
            fixed("/accounts/password_change/done/"), login_required(S(200))
        ),
        "accounts/password_reset/": Spec(fixed("/accounts/password_reset/"), public(S(200))),
        "accounts/password_reset/done/": Spec(
            fixed("/accounts/password_reset/done/"), public(S(200))
        ),
        "accounts/reset/<uidb64>/<token>/": Spec(
            fixed("/accounts/reset/MQ/qzx-not-a-token/"), public(S(200))
        ),
        "accounts/reset/done/": Spec(fixed("/accounts/reset/done/"), public(S(200))),
        # Single sign-on (web/sso.py). Off in the tests' settings: its OpenID
        # routes are not there (tests/sso/ walks them against a real provider);
        # the no-access page refuses everyone, as it tells them; the
        # break-glass page is a login page like the one above.
        "oidc/authenticate/": Spec(fixed("/oidc/authenticate/"), public(S(404))),
        "oidc/callback/": Spec(fixed("/oidc/callback/?code=qzx&state=qzx"), public(S(404))),
        "accounts/no-access/": Spec(fixed("/accounts/no-access/"), public(S(403))),
        "accounts/break-glass/": Spec(fixed("/accounts/break-glass/"), public(S(200), S(200, 302))),
        # The API.
        "api/v1/auth/token/": Spec(
            fixed("/api/v1/auth/token/"),
            public(S(405, 401), S(405)),
            post=PostSpec(
                body=lambda world, target: {"username": "maya.manager", "password": "wrong"},
                may_succeed=lambda world, person, target: False,
                refused=lambda world, person, target: S(400, 401, 403, 429),
                json=True,
            ),
        ),
        # Declared ahead of their arrival (another change adds them).
        "api/v1/auth/logout/": Spec(
            fixed("/api/v1/auth/logout/"),
            # A session is not an API credential here: 401 unless a token (then 405).
            api(everyone(401, 405), no_content),
            post=anyone_logged_in_post({}, json_body=True),
        ),
        "api/v1/auth/logout-all/": Spec(
            fixed("/api/v1/auth/logout-all/"),
            # A session is not an API credential here: 401 unless a token (then 405).
            api(everyone(401, 405), no_content),
            post=anyone_logged_in_post({}, json_body=True),
        ),
        "api/v1/referrals/": Spec(
            fixed("/api/v1/referrals/"),
            api(lambda person: S(200) if WEB_ROLES[person] else S(200, 403)),
            post=managers_only_post(json_body=True),
        ),
        "api/v1/referrals/<int:pk>/": Spec(per_case("/api/v1/referrals/{pk}/"), api_case()),
        "api/v1/referrals/<int:pk>/path/": Spec(
            per_case("/api/v1/referrals/{pk}/path/"), api_case(explorer_only=True)
        ),
        "api/v1/referrals/<int:pk>/panel-suggestion/": Spec(
            per_case("/api/v1/referrals/{pk}/panel-suggestion/"), api_case(hr_only=True)
        ),
        **{
            f"api/v1/referrals/<int:pk>/actions/{act}/": Spec(
                api_action_targets(act),
                api_action_page,
                post=PostSpec(api_action_body, may_act, refused_api_action, json=True),
                get_targets=api_action_targets(act, one_case=True),
            )
            for act in ACTIONS
            if act != "suggest_panel"
        },
        "api/v1/referrals/<int:pk>/actions/<str:action>/": Spec(
            api_action_targets("qzx-nothing"),
            api_action_page,
            post=PostSpec(api_action_body, may_act, refused_api_action, json=True),
            get_targets=api_action_targets("qzx-nothing", one_case=True),
        ),
        "api/schema/": Spec(fixed("/api/schema/"), public(S(200, 401, 403), S(200))),
        "api/docs/": Spec(fixed("/api/docs/"), public(S(200, 401, 403), S(200))),
        # ops: health probes, without a login (no case content: no_content holds).
        # Ready is 503 here: no beat runs in the tests, so no heartbeat.
        "health/live": Spec(fixed("/health/live"), public(S(200))),
        "health/ready": Spec(fixed("/health/ready"), public(S(200, 503))),
        # ops: Prometheus's scrape. Open here (no FTP_METRICS_TOKEN outside
        # production: tests/ops/test_metrics.py has the token's rule); counts
        # only, so no case content (no_content holds).
        "metrics": Spec(fixed("/metrics"), public(S(200))),
        "api/": Spec(
            fixed("/api/qzx-nowhere/"),
            lambda world, person, target: Expect(S(404), no_content(world, person)),
        ),
    }


# Freedom to Speak Up ---------------------------------------------------------


def strip_speak_up_choices(body: str) -> str:
    return re.sub(r'<select name="(org_unit|ethnic_category)".*?</select>', "", body, flags=re.S)


def concern_targets(template: str) -> Callable[[World], list[Target]]:
    def targets(world: World) -> list[Target]:
        out = [Target(template.format(pk=pk), key) for key, pk in world.concerns.items()]
        return [*out, Target(template.format(pk=MISSING_PK), "missing")]

    return targets


def speak_up_page(ok: frozenset[int]) -> Callable[[World, str, Target], Expect]:
    """Open to anyone, signed in or not; nothing of a case or a concern."""
    return lambda world, person, target: Expect(
        ok, [*no_content(world, person), *world.concern_markers()]
    )


def speak_up_login(ok: frozenset[int]) -> Callable[[World, str, Target], Expect]:
    """Signed in only (the anonymous sent to log in); nothing of a case or a concern."""

    def expect(world: World, person: str, target: Target) -> Expect:
        if person == "anonymous":
            return anon_web(world)
        return Expect(ok, [*no_content(world, person), *world.concern_markers()])

    return expect


def own_concern_page(world: World, person: str, target: Target) -> Expect:
    """A reporter's own concern: the manager raised the open one; anyone else 404."""
    if person == "anonymous":
        return anon_web(world)
    markers = [*no_content(world, person), *world.concern_markers()]
    if person == "manager" and target.obj == "open":
        from .world import concern_account, concern_reply_text

        mine = {concern_account("open", world.tag), concern_reply_text("open", world.tag)}
        return Expect(S(200), [m for m in markers if m not in mine])
    return Expect(S(404), markers)


def spec_for(route: Route, specs: dict[str, Spec]) -> Spec | None:
    if route.pattern in specs:
        return specs[route.pattern]
    if route.pattern.startswith("admin/"):
        # Declared by group: the superuser by page kind, everyone else sent to log in.
        return Spec(admin_targets(route), admin_expect(route), post=admin_post(route))
    return None


# --- running requests ---------------------------------------------------------------


def body_text(response: Any) -> str:
    raw = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if raw[:2] == b"PK":  # an XLSX: search the text of every part
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            return "\n".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    text = raw.decode("utf-8", "replace")
    if "json" in response.get("Content-Type", ""):
        with contextlib.suppress(ValueError):  # compact, whatever the renderer's spacing
            text += "\n" + json.dumps(json.loads(text), separators=(",", ":"))
    return text


def _table_sql() -> str:
    def table(label: str) -> str:
        return str(apps.get_model(label)._meta.db_table)

    # Table names come from the models, not from input.
    return f"""
        SELECT
          (SELECT count(*) FROM {table("audit.AuditEvent")}
             WHERE action <> 'view_special_category'),
          (SELECT md5(coalesce(string_agg(concat_ws(':', id, stage, version, outcome, updated_at),
                      ',' ORDER BY id), '')) FROM {table("workflow.Case")}),
          (SELECT count(*) FROM {table("panels.Panel")}),
          (SELECT count(*) FROM {table("panels.PanelMembership")} WHERE stood_down_at IS NULL),
          (SELECT count(*) FROM {table("panels.Declaration")}),
          (SELECT count(*) FROM {table("panels.PanelView")}),
          (SELECT count(*) FROM {table("panels.PanelDecision")}),
          (SELECT count(*) FROM {table("workflow.SignOff")}),
          (SELECT count(*) FROM {table("casefile.CaseNote")}),
          (SELECT count(*) FROM {table("casefile.DocumentVersion")}),
          (SELECT count(*) FROM {table("notifications.Notification")} WHERE read_at IS NOT NULL),
          (SELECT md5(coalesce(string_agg(concat_ws(':', user_id, email_mode),
                      ',' ORDER BY user_id), ''))
             FROM {table("notifications.NotificationPreference")}),
          (SELECT md5(coalesce(string_agg(concat_ws(':', id, name, job_title, band, org_unit_id,
                      ethnic_category), ',' ORDER BY id), '')) FROM {table("staff.Employee")}),
          (SELECT count(*) FROM {table("staff.OrgUnit")}),
          (SELECT md5(coalesce(string_agg(concat_ws(':', id, password, is_active, is_staff,
                      is_superuser), ',' ORDER BY id), '')) FROM {table("auth.User")}),
          (SELECT count(*) FROM {table("panels.PoolMember")}),
          (SELECT count(*) FROM {table("panels.StaffNetwork")}),
          (SELECT count(*) FROM {table("auth.Group")})
    """  # noqa: S608 (table names from the models)


def written() -> tuple[Any, ...]:
    """Everything a refused request must leave alone, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_table_sql())
        row = cursor.fetchone()
    return tuple(row or ())


@dataclass
class Outcome:
    failures: list[str] = field(default_factory=list)
    cells: int = 0
    routes: set[str] = field(default_factory=set)
    objects: set[tuple[str, str]] = field(default_factory=set)
    people: set[str] = field(default_factory=set)
    seconds: dict[str, float] = field(default_factory=dict)


def check(
    outcome: Outcome,
    route: Route,
    person: str,
    target: Target,
    client: Client,
    method: str,
    expect: Expect,
    scrub: Callable[[str], str] | None,
    must_not_write: bool,
    body: dict[str, Any] | None = None,
    as_json: bool = False,
) -> None:
    """One cell: the request, in a savepoint rolled back afterwards."""
    outcome.cells += 1
    outcome.routes.add(route.pattern)
    outcome.objects.add((route.pattern, target.obj))
    outcome.people.add(person)
    where = f"{method} {route.pattern} [{target.obj}] as {person}"
    started = time.monotonic()
    with transaction.atomic():
        before = written() if must_not_write else None
        if method == "GET":
            response = client.get(target.url)
        elif as_json:
            response = client.post(
                target.url, json.dumps(body or {}), content_type="application/json"
            )
        else:
            response = client.post(target.url, body or {})
        text = body_text(response)
        after = written() if must_not_write else None
        transaction.set_rollback(True)
    spent = time.monotonic() - started
    outcome.seconds[route.pattern] = outcome.seconds.get(route.pattern, 0.0) + spent
    if response.status_code not in expect.statuses:
        outcome.failures.append(
            f"{where}: status {response.status_code}, expected {sorted(expect.statuses)}"
        )
    if response.status_code == 302 and expect.redirect_to is not None:
        location = response.get("Location", "")
        if not location.startswith(expect.redirect_to):
            outcome.failures.append(f"{where}: redirects to {location}, not {expect.redirect_to}")
    if scrub is not None:
        text = scrub(text)
    for marker in dict.fromkeys(expect.forbidden):
        if marker in text:
            outcome.failures.append(f"{where}: shows {marker!r}")
    if before != after:
        outcome.failures.append(f"{where}: a refused request wrote {before} -> {after}")


REFUSALS = frozenset({302, 400, 401, 403, 404, 405, 409})


# --- fixtures ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module inside a transaction rolled back at the end,
    so the rest of the suite never sees it: trust A's world, each row made
    inside trust A, and (``world.other``) the equivalent world of trust B."""
    with shared_by_module(django_db_blocker):
        yield build_worlds()


@pytest.fixture(scope="module")
def clients(world: World, django_db_blocker: Any) -> dict[str, Client]:
    out = {"anonymous": Client()}
    with django_db_blocker.unblock():
        for person in PEOPLE:
            if person != "anonymous":
                client = Client()
                client.force_login(world.users[person])
                if person == "superuser":
                    # The deployment's superuser may act for every trust: A here.
                    trust_choose_posted(client, world.trust.pk)
                out[person] = client
    return out


def trust_choose_posted(client: Client, trust_id: int) -> None:
    """Choose the trust to act for, as a person with several does (POST
    /accounts/trust/): the choice is kept in their session."""
    response = client.post("/accounts/trust/", {"trust": trust_id, "next": "/notifications/"})
    assert response.status_code == 302, response.status_code
    assert response["Location"] == "/notifications/"


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    # Login-failure counters live in the cache: the posts with a wrong
    # password must not throttle anyone else's tests.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def report(outcome: Outcome, kind: str, world: World, markers: list[str] | None = None) -> None:
    markers = world.all_markers() if markers is None else markers
    MATRIX_SIZE[kind] = {
        "requests": outcome.cells,
        "routes": len(outcome.routes),
        "people": len(outcome.people),
        "route_objects": len(outcome.objects),
        "markers": markers,
    }
    print(
        f"\n{kind}: {outcome.cells} requests = {len(outcome.routes)} routes x "
        f"{len(outcome.people)} people over {len(outcome.objects)} (route, object) pairs; "
        f"{len(markers)} marker strings searched: {markers}"
    )
    slowest = sorted(outcome.seconds.items(), key=lambda kv: -kv[1])[:12]
    print("slowest routes (s):", [(k, round(v, 1)) for k, v in slowest])
    if outcome.failures:
        print(f"{len(outcome.failures)} failing cells:")
        print("\n".join(outcome.failures))


# --- tests -------------------------------------------------------------------------


def test_the_markers_are_distinct_and_hr_finds_each_on_its_case_page(
    world: World, clients: dict[str, Client], db: None
) -> None:
    """A positive control: each marker names one thing (none contains
    another), and each is really where HR, who may see everything, looks."""
    markers = world.all_markers()
    assert not [(a, b) for a in markers for b in markers if a != b and a in b]
    assert set(world.cases) == set(CASE_KEYS)
    for wc in world.cases.values():
        with transaction.atomic():
            page = body_text(clients["hr"].get(f"/cases/{wc.pk}/"))
            transaction.set_rollback(True)
        wanted = [m for kind, ms in wc.markers().items() for m in ms if kind != "ethnicity"]
        missing = [m for m in [*wanted, wc.markers()["ethnicity"][0]] if m not in page]
        assert missing == [], (wc.key, missing)


def test_every_route_is_declared(db: None) -> None:
    specs = build_specs()
    undeclared = [r.pattern for r in present_routes() if spec_for(r, specs) is None]
    assert undeclared == [], f"routes with no declared expectation: {undeclared}"


def test_every_route_as_every_person_shows_only_what_the_rules_allow(
    world: World, clients: dict[str, Client], db: None
) -> None:
    specs = build_specs()
    outcome = Outcome()
    # Nothing of trust B's world on any page of trust A's.
    assert world.other is not None
    foreign = world.other.leak_markers()
    for route in present_routes():
        spec = spec_for(route, specs)
        assert spec is not None, route
        if not spec.get:
            continue
        for target in spec.gets(world):
            for person in PEOPLE:
                if not asked(world, person, target):
                    continue
                expect = spec.expect(world, person, target)
                expect.forbidden = [*expect.forbidden, *foreign]
                refused = expect.statuses <= REFUSALS
                check(
                    outcome,
                    route,
                    person,
                    target,
                    clients[person],
                    "GET",
                    expect,
                    spec.scrub,
                    refused,
                )
    report(outcome, "GET", world)
    assert not outcome.failures, "\n".join(outcome.failures)


def test_every_state_changing_route_refused_writes_nothing(
    world: World, clients: dict[str, Client], db: None
) -> None:
    specs = build_specs()
    outcome = Outcome()
    assert world.other is not None
    foreign = world.other.leak_markers()
    for route in present_routes():
        spec = spec_for(route, specs)
        assert spec is not None, route
        if spec.post is None:
            continue
        post = spec.post
        for target in spec.targets(world):
            for person in PEOPLE:
                if post.may_succeed(world, person, target) or not asked(world, person, target):
                    continue
                expect = Expect(post.refused(world, person, target), listing(world, person))
                if person == "anonymous":
                    expect.forbidden = world.all_markers()
                expect.forbidden += foreign
                check(
                    outcome,
                    route,
                    person,
                    target,
                    clients[person],
                    "POST",
                    expect,
                    spec.scrub,
                    True,
                    post.body(world, target),
                    post.json,
                )
    report(outcome, "POST", world)
    assert not outcome.failures, "\n".join(outcome.failures)


# --- two trusts --------------------------------------------------------------------

# What a request about another trust's record may get: refused, sent to log
# in (or, for the action that only points at another page, sent there),
# never the page (200) nor a notice about the record's state (409).
NOT_FOUND = frozenset({302, 401, 403, 404, 405})


# With trust B's ids, every person of trust A is a stranger to the record,
# whatever they are to A's cases: what can tell them apart is their role, so
# the two-trust tests send each request as one person of each role (and none).
STRANGERS = (
    "anonymous",
    "manager",
    "hr",
    "panel_elsewhere",
    "director",
    "governance",
    "outsider",
    "superuser",
)


def _kind(person: str) -> tuple[str | None, bool]:
    return WEB_ROLES.get(person), person == "superuser"


def test_the_strangers_are_one_person_of_each_kind() -> None:
    assert len(STRANGERS) == len({_kind(p) for p in STRANGERS})
    assert {_kind(p) for p in STRANGERS} == {_kind(p) for p in PEOPLE}


def other_trust_targets(
    world: World, spec: Spec, route: Route, *, get: bool = False
) -> list[Target]:
    """The targets of ``route`` made from trust B's world, read inside trust
    B, without those whose URL is one of trust A's (pages about no one
    record, a missing one): the A matrix requests those."""
    other = world.other
    assert other is not None
    which = spec.gets if get else spec.targets
    with trust_entered(other.trust):
        theirs = which(other)
    ours = {t.url for t in which(world)}
    return [t for t in theirs if t.url not in ours and _sampled(t)]


# A case's actions, asked about with trust B's ids, are sent as each action on
# B's panel case and as triage (or an unknown action) on each of B's cases:
# B's case does not exist for anyone of trust A, whatever the action, so the
# other (action, case) pairs would repeat those requests with other numbers.
# Trust A's matrix sends every action on every case as every person.
# (Other targets, documents, letters and meetings among them, are all sent.)
def _sampled(target: Target) -> bool:
    return target.action not in ACTIONS or target.case == "panel" or target.action == "triage"


def other_trust_filters(world: World) -> list[tuple[str, Target, list[str]]]:
    """List, search and export pages asked about trust B's departments,
    references and people: (route, target, values echoed back in the form)."""
    other = world.other
    assert other is not None
    panel = other.cases["panel"]
    unit = panel.employee.org_unit.code
    ref = panel.case.reference
    number = panel.employee.staff_number
    actor = other.users["hr"].username
    out = [
        ("cases/all/", Target(f"/cases/all/?org_unit={unit}", "B's department"), [unit]),
        ("cases/all/", Target(f"/cases/all/?org_unit={unit}&stage=panel", "B's dept"), [unit]),
        ("cases/all/", Target(f"/cases/all/?q={ref}", "B's reference searched"), [ref]),
        ("cases/all/", Target(f"/cases/all/?q={number}&sort=employee", "B's number"), [number]),
        ("cases/all/export.<str:fmt>", Target(f"/cases/all/export.csv?q={ref}", "B's ref"), [ref]),
        ("audit/", Target(f"/audit/?case={ref}", "B's reference"), [ref]),
        ("audit/", Target(f"/audit/?actor={actor}", "B's HR adviser"), [actor]),
        ("audit/export.<str:fmt>", Target(f"/audit/export.csv?case={ref}", "B's ref csv"), [ref]),
        ("audit/export.<str:fmt>", Target(f"/audit/export.xlsx?case={ref}", "B's ref xlsx"), [ref]),
        ("audit/export.<str:fmt>", Target(f"/audit/export.csv?actor={actor}", "B's HR"), [actor]),
        ("api/v1/referrals/", Target(f"/api/v1/referrals/?org_unit={unit}", "B's dept"), [unit]),
        ("notifications/", Target("/notifications/?page=1", "inbox"), []),
    ]
    return out


def _foreign_check(
    outcome: Outcome,
    label: str,
    person: str,
    got: tuple[Any, str],
    statuses: frozenset[int] | None,
    forbidden: list[str],
    echoed: list[str] = (),  # type: ignore[assignment]
) -> None:
    where = f"{label} as {person}"
    outcome.people.add(person)
    outcome.objects.add((label, ""))
    response, text = got
    if response.status_code >= 500 or (
        statuses is not None and response.status_code not in statuses
    ):
        outcome.failures.append(f"{where}: status {response.status_code}, expected {statuses}")
    for value in echoed:  # what the person typed in, shown back in the form
        text = text.replace(value, "")
    for marker in forbidden:
        if marker in text:
            outcome.failures.append(f"{where}: shows trust B's {marker!r}")


def _is_trust_owned(route: Route) -> bool:
    """Whether an admin route is about a model of one trust's rows."""
    from django.contrib import admin

    from tenancy.models import TrustOwned

    key = admin_model_key(route.pattern)
    return any(
        issubclass(m, TrustOwned)
        for m in admin.site._registry
        if f"{m._meta.app_label}_{m._meta.model_name}" == key
    )


def test_trust_a_people_asking_for_trust_b_records_get_nothing_of_them(
    world: World, clients: dict[str, Client], db: None
) -> None:
    """Every person of trust A, acting for A, on every route with trust B's
    object ids (cases, their actions, panels, notifications, audit events,
    admin records, exports) and on the list, search and export pages
    filtered by B's departments, references and people: refused or empty,
    and not one of B's distinctive strings in any body."""
    other = world.other
    assert other is not None
    forbidden = other.leak_markers()
    specs = build_specs()
    outcome = Outcome()
    with trust_entered(other.trust):
        b_before = written()
    for route in present_routes():
        spec = spec_for(route, specs)
        assert spec is not None, route
        if not spec.get:
            continue
        about_trust_rows = not route.pattern.startswith("admin/") or _is_trust_owned(route)
        for target in other_trust_targets(world, spec, route, get=True):
            for person in STRANGERS:
                outcome.cells += 1
                outcome.routes.add(route.pattern)
                _foreign_check(
                    outcome,
                    f"GET {target.url} ({route.pattern}, B's {target.obj})",
                    person,
                    fetched(clients[person], target.url),
                    NOT_FOUND if about_trust_rows else None,
                    forbidden,
                )
    for pattern, target, echoed in other_trust_filters(world):
        assert spec_for(Route(pattern, ""), specs) is not None, pattern
        for person in STRANGERS:
            outcome.cells += 1
            _foreign_check(
                outcome,
                f"GET {target.url}",
                person,
                fetched(clients[person], target.url),
                None,
                forbidden,
                echoed,
            )
    with trust_entered(other.trust):
        assert written() == b_before
    report(outcome, "GET with trust B's ids", world, forbidden)
    assert outcome.cells > 1000
    assert not outcome.failures, "\n".join(outcome.failures)


def test_trust_a_people_posting_to_trust_b_records_are_refused_and_b_is_unchanged(
    world: World, clients: dict[str, Client], db: None
) -> None:
    """Every state-changing route, posted by every person of trust A with
    trust B's object ids (a case's actions, a notification, an admin
    record, retention): refused, and nothing of trust B written."""
    other = world.other
    assert other is not None
    forbidden = other.leak_markers()
    specs = build_specs()
    outcome = Outcome()
    for route in present_routes():
        spec = spec_for(route, specs)
        assert spec is not None, route
        if spec.post is None:
            continue
        if route.pattern.startswith("admin/") and not _is_trust_owned(route):
            continue
        post = spec.post
        for target in other_trust_targets(world, spec, route):
            body = post.body(other, target)
            for person in STRANGERS:
                outcome.cells += 1
                outcome.routes.add(route.pattern)
                with transaction.atomic():
                    with trust_entered(other.trust):
                        before = written()
                    client = clients[person]
                    if post.json:
                        response = client.post(
                            target.url, json.dumps(body), content_type="application/json"
                        )
                    else:
                        response = client.post(target.url, body)
                    text = body_text(response)
                    with trust_entered(other.trust):
                        after = written()
                    transaction.set_rollback(True)
                label = f"POST {target.url} ({route.pattern}, B's {target.obj})"
                got = (response, text)
                _foreign_check(outcome, label, person, got, REFUSALS - {409}, forbidden)
                if before != after:
                    outcome.failures.append(f"{label} as {person}: wrote to trust B")
    # Trust B's employee named in A's forms: no referral, no subject access pack.
    b_employee = other.cases["panel"].employee
    for person, url, body in (
        (
            "manager",
            "/cases/new/",
            {**referral_form(world), "staff_number": b_employee.staff_number},
        ),
        (
            "hr",
            "/audit/subject-access/",
            {"staff_number": b_employee.staff_number, "request_reference": "SAR-qzx"},
        ),
    ):
        outcome.cells += 1
        with transaction.atomic():
            with trust_entered(other.trust):
                before = written()
            cases_before = Case.objects.count()
            response = clients[person].post(url, body)
            text = body_text(response)
            cases_after = Case.objects.count()
            with trust_entered(other.trust):
                after = written()
            transaction.set_rollback(True)
        _foreign_check(
            outcome,
            f"POST {url} naming B's employee",
            person,
            (response, text),
            S(200, 400),
            forbidden,
            [b_employee.staff_number],
        )
        if before != after or cases_before != cases_after:
            outcome.failures.append(f"POST {url} naming B's employee as {person}: wrote")
    report(outcome, "POST with trust B's ids", world, forbidden)
    assert outcome.cells > 500
    assert not outcome.failures, "\n".join(outcome.failures)


def fetched(client: Client, url: str, **extra: Any) -> tuple[Any, str]:
    """GET ``url`` in a savepoint rolled back afterwards, reading the body
    (a streamed one too) inside it: a streamed response stays in its trust
    until its content is read, and the savepoint's rollback undoes the
    trust's database setting made inside it."""
    with transaction.atomic():
        response = client.get(url, **extra)
        text = body_text(response)
        transaction.set_rollback(True)
    return response, text


def _pages(client: Client, urls: list[str]) -> dict[str, tuple[Any, str]]:
    return {url: fetched(client, url) for url in urls}


def test_a_person_of_both_trusts_sees_only_the_trust_they_chose(world: World, db: None) -> None:
    """HR in both trusts: sent to choose first; acting for A, A's cases and
    nothing of B's; after choosing B, B's and nothing of A's."""
    other = world.other
    assert other is not None
    client = Client()
    client.force_login(world.users["both"])
    first, _ = fetched(client, "/cases/all/")
    assert first.status_code == 302
    assert first["Location"].startswith("/accounts/trust/")
    for ours, theirs in ((world, other), (other, world)):
        trust_choose_posted(client, ours.trust.pk)
        lists = ["/cases/all/", "/cases/inbox/", "/cases/panels/", "/audit/", "/notifications/"]
        lists += ["/audit/export.csv", "/reports/governance/", "/api/v1/referrals/"]
        mine = [f"/cases/{wc.pk}/" for wc in ours.cases.values()]
        not_mine = [f"/cases/{wc.pk}/" for wc in theirs.cases.values()]
        not_mine += [f"/api/v1/referrals/{wc.pk}/" for wc in theirs.cases.values()]
        pages = _pages(client, lists + mine + not_mine)
        for url in not_mine:
            assert pages[url][0].status_code == 404, (ours.tag, url, pages[url][0].status_code)
        for url in lists + mine:
            assert pages[url][0].status_code == 200, (ours.tag, url, pages[url][0].status_code)
        bodies = {url: text for url, (_, text) in pages.items()}
        leaked = [(u, m) for u, t in bodies.items() for m in theirs.leak_markers() if m in t]
        assert leaked == [], (ours.tag, leaked)
        # A positive control: their own trust's cases are there.
        for wc in ours.cases.values():
            assert summary_of(wc) in bodies[f"/cases/{wc.pk}/"], (ours.tag, wc.key)
            assert wc.case.reference in bodies["/cases/all/"], (ours.tag, wc.key)


def summary_of(wc: WorldCase) -> str:
    return wc.markers()["concern"][0]


def _token_client(user: Any) -> tuple[Client, str]:
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(user=user)
    return Client(), token


def test_the_api_acts_only_for_a_trust_the_token_holder_holds_a_role_in(
    world: World, db: None
) -> None:
    """X-Trust naming a trust the token's holder has no role in: nothing
    (no case of either trust, an empty list); naming their own trust, that
    trust's only; a holder of both trusts, each in turn."""
    other = world.other
    assert other is not None

    def get(token: str, url: str, trust_code: str | None) -> tuple[Any, str]:
        headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
        if trust_code is not None:
            headers["HTTP_X_TRUST"] = trust_code
        return fetched(Client(), url, **headers)

    def case_urls(w: World) -> list[str]:
        return [f"/api/v1/referrals/{wc.pk}/" for wc in w.cases.values()]

    with transaction.atomic():
        for person in ("hr", "manager", "director"):
            _, token = _token_client(world.users[person])
            for code in (other.trust.code, "NOPE"):
                listing, text = get(token, "/api/v1/referrals/", code)
                assert listing.status_code in (200, 403), (person, code, listing.status_code)
                if listing.status_code == 200:
                    assert json.loads(text.split("\n")[0])["results"] == [], (person, code)
                assert not [m for m in other.leak_markers() if m in text]
                assert not [m for m in world.leak_markers() if m in text]
                for url in case_urls(other) + case_urls(world):
                    response, text = get(token, url, code)
                    assert response.status_code in (403, 404), (person, code, url)
                    assert not [m for m in other.leak_markers() + world.all_markers() if m in text]
            # Their own trust, named or not: A's cases, never B's.
            for code in (world.trust.code, None):
                for url in case_urls(other):
                    assert get(token, url, code)[0].status_code == 404, (person, code, url)
            if person == "hr":
                for url in case_urls(world):
                    assert get(token, url, world.trust.code)[0].status_code == 200, url
        # HR in both: each trust named in turn sees that trust's cases only;
        # naming none acts for none.
        _, token = _token_client(world.users["both"])
        for ours, theirs in ((world, other), (other, world)):
            listing, text = get(token, "/api/v1/referrals/", ours.trust.code)
            assert listing.status_code == 200
            assert not [m for m in theirs.leak_markers() if m in text]
            for wc in ours.cases.values():
                assert wc.case.reference in text, (ours.tag, wc.key)
            for url in case_urls(ours):
                assert get(token, url, ours.trust.code)[0].status_code == 200, url
            for url in case_urls(theirs):
                assert get(token, url, ours.trust.code)[0].status_code == 404, url
        unnamed, text = get(token, "/api/v1/referrals/", None)
        if unnamed.status_code == 200:
            assert json.loads(text.split("\n")[0])["results"] == []
        transaction.set_rollback(True)


def test_trust_b_notifications_never_reach_trust_a_inboxes_or_digests(
    world: World, clients: dict[str, Client], db: None
) -> None:
    """Each person of A reads their inbox: none of B's notifications (B's
    notification ids are refused in the matrix legs above). A person of both
    trusts whose emails are held for the digest in both: the digest built in
    trust A bundles A's notifications only and its email names none of B's
    cases; built in B, B's only."""
    from notifications.messages import email_body, email_subject
    from notifications.models import Delivery, DeliveryStatus, Kind, Notification
    from notifications.services.digest import digests_build

    other = world.other
    assert other is not None
    with trust_entered(other.trust):
        b_notes = list(Notification.objects.values_list("pk", flat=True))
    assert b_notes, "trust B's world has notifications"
    both = world.users["both"]
    with transaction.atomic():
        for w in (world, other):
            with trust_entered(w.trust):
                held = Delivery.objects.filter(notification__recipient=both, channel="email")
                assert held.exists(), w.tag
                held.update(status=DeliveryStatus.HELD)
        for ours, theirs in ((world, other), (other, world)):
            with trust_entered(ours.trust):
                assert digests_build() == 1
                digest = Notification.objects.get(recipient=both, kind=Kind.DIGEST)
                bundled = list(Notification.objects.filter(digest=digest))
                assert bundled, ours.tag
                assert {n.trust_id for n in bundled} == {ours.trust.pk}
                text = email_subject(digest) + email_body(digest)
                for wc in ours.cases.values():
                    if Notification.objects.filter(digest=digest, case=wc.case).exists():
                        assert wc.case.reference in text, (ours.tag, wc.key)
                leaked = [m for m in theirs.leak_markers() if m in text]
                assert leaked == [], (ours.tag, leaked)
        transaction.set_rollback(True)
    for person in PEOPLE:
        for url in ("/notifications/", "/cases/inbox/"):
            _, text = fetched(clients[person], url)
            leaked = [m for m in other.leak_markers() if m in text]
            assert leaked == [], (person, url, leaked)
