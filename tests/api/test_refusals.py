"""Each refusal, as a client program sees it: the exact status, a JSON ``detail``,
the field named for bad input, and not one row written.

The order the API checks in decides which refusal wins: the request's shape
(400), whether the caller may see the case (404), their role (403), the stage
(409), the version they saw (409), then the service's own checks (400).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AuditEvent
from workflow.models import Case

from ..factories import in_pool, make_user, other_units
from ..workflow.steps import snapshot
from .steps import (
    BASE,
    DECLINE_REASON,
    INFORMAL_ACTIONS,
    PANEL_REASON,
    RATIONALE,
    RESUBMIT_NOTE,
    RETURN_REASON,
    WITHDRAW_REASON,
    Api,
    Walk,
    action_url,
    case_url,
    ok,
    referral_body,
)

pytestmark = pytest.mark.django_db

HUGE = "x" * 1_000_000
ACTIONS = [
    "triage",
    "resubmit",
    "record_informal_outcome",
    "convene_panel",
    "decide",
    "signoff",
    "withdraw",
]
# Where each action applies, as a point of the walk.
POINT = {
    "triage": "submitted",
    "resubmit": "returned",
    "record_informal_outcome": "informal",
    "convene_panel": "panel",
    "decide": "convened",
    "signoff": "signoff",
    "withdraw": "submitted",
}


@pytest.fixture
def people(cast: Any) -> dict[str, Any]:
    """The cast by name, plus a panel member nobody convenes."""
    names = ["manager", "other_manager", "hr", "panel_a", "panel_b", "director"]
    found = {name: getattr(cast, name) for name in names}
    found.update(outsider=cast.outsider, governance=cast.governance)
    found["panel_d"] = make_user("dev.panel", Role.PANEL)
    in_pool(found["panel_d"], unit=other_units()["other_icsu"], trained=True)
    return found


def valid_body(action: str, cast: Any) -> dict[str, Any]:
    """A body the action would accept, so only the refusal under test can bite."""
    bodies: dict[str, dict[str, Any]] = {
        "triage": {"route": "informal"},
        "resubmit": {"note": RESUBMIT_NOTE},
        "record_informal_outcome": {"resolved": True, "actions": INFORMAL_ACTIONS},
        "convene_panel": {"members": [m.pk for m in cast.panel], "chair": cast.panel_a.pk},
        "decide": {"outcome": "mediation", "rationale": RATIONALE},
        "signoff": {"approve": True, "reason": "Proportionate to the concern."},
        "withdraw": {"reason": WITHDRAW_REASON},
    }
    return bodies[action]


@contextmanager
def nothing_written() -> Iterator[None]:
    """Every row an action may write (cases, events, panels, flow tasks) stays as it was."""
    before = snapshot()
    yield
    assert snapshot() == before


def answer(response: Any, status: int) -> Any:
    """A refusal's JSON body: the exact status, JSON, and a human-readable ``detail``."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert isinstance(body["detail"], str)
    assert body["detail"]
    if status == 400:
        assert body["errors"], body
        assert all(body["errors"].values()), body
    return body


def refused(status: int, api: Api, case: Any, action: str, **body: Any) -> Any:
    with nothing_written():
        response = api.act(case["id"], action, **body)
    return answer(response, status)


def invalid(api: Api, case: Any, action: str, **body: Any) -> set[str]:
    """The fields a 400 names (nothing is written)."""
    return set(refused(400, api, case, action, **body)["errors"])


# --- role: 403 -------------------------------------------------------------

WRONG_ROLE = [
    ("triage", "manager"),
    ("triage", "director"),
    ("resubmit", "hr"),
    ("resubmit", "director"),
    ("record_informal_outcome", "director"),
    ("convene_panel", "manager"),
    ("convene_panel", "director"),
    ("decide", "panel_b"),
    ("decide", "hr"),
    ("decide", "director"),
    ("signoff", "hr"),
    ("signoff", "manager"),
    ("signoff", "panel_a"),
    ("withdraw", "director"),
]


@pytest.mark.parametrize(("action", "who"), WRONG_ROLE)
def test_someone_who_sees_the_case_but_holds_the_wrong_role_gets_403(
    walk: Walk, cast: Any, people: dict[str, Any], action: str, who: str
) -> None:
    case = walk.at(POINT[action])

    body = refused(403, Api.as_user(people[who]), case, action, **valid_body(action, cast))

    assert body["detail"].startswith("Only ")


def test_a_panel_member_can_see_the_case_but_not_withdraw_it(walk: Walk, cast: Any) -> None:
    case = walk.convened()
    refused(403, Api.as_user(cast.panel_b), case, "withdraw", reason=WITHDRAW_REASON)


def test_an_hr_adviser_cannot_triage_a_referral_they_made_themselves(
    cast: Any, employee: Any
) -> None:
    manager_hr = make_user("max.manager-hr", Role.MANAGER, Role.HR)
    case = ok(Api.as_user(manager_hr).submit(employee), 201)

    body = refused(403, Api.as_user(manager_hr), case, "triage", route="informal")

    assert "HR adviser" in body["detail"]


def test_a_decision_maker_who_sat_on_the_panel_cannot_sign_off(walk: Walk, cast: Any) -> None:
    dm_panel = make_user("dan.dm-panel", Role.DECISION_MAKER, Role.PANEL)
    in_pool(dm_panel, unit=other_units()["other_icsu"], trained=True)
    walk.extra_members.append(dm_panel)
    case = walk.panel()
    members = [dm_panel.pk, cast.panel_b.pk, cast.panel_c.pk]
    case = ok(walk.hr.act(case["id"], "convene_panel", members=members, chair=cast.panel_b.pk))
    walk.deliberate(case)
    case = ok(
        Api.as_user(cast.panel_b).act(
            case["id"], "decide", outcome="formal_investigation", rationale=RATIONALE
        )
    )

    refused(
        403,
        Api.as_user(dm_panel),
        case,
        "signoff",
        approve=True,
        reason="Proportionate to the concern.",
    )


@pytest.mark.parametrize("who", ["hr", "panel_a", "director", "governance", "outsider"])
def test_only_a_referring_manager_can_submit_a_referral(
    people: dict[str, Any], employee: Any, who: str
) -> None:
    with nothing_written():
        response = Api.as_user(people[who]).submit(employee)
    assert answer(response, 403)["detail"] == "Only a referring manager can submit a referral."


# --- visibility: 404 -------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "governance", "other_manager", "panel_d"])
@pytest.mark.parametrize("action", ACTIONS)
def test_someone_who_may_not_see_the_case_gets_404(
    walk: Walk, cast: Any, people: dict[str, Any], action: str, who: str
) -> None:
    case = walk.at(POINT[action])

    refused(404, Api.as_user(people[who]), case, action, **valid_body(action, cast))

    answer(Api.as_user(people[who]).case(case["id"]), 404)


def test_a_chair_cannot_decide_another_panels_case_by_its_id(
    walk: Walk, cast: Any, people: dict[str, Any]
) -> None:
    walk.convened()  # panel_a chairs this one
    other = walk.panel()
    members = [cast.panel_b.pk, cast.panel_c.pk, people["panel_d"].pk]
    ok(walk.hr.act(other["id"], "convene_panel", members=members, chair=cast.panel_b.pk))

    refused(404, walk.chair, other, "decide", outcome="mediation", rationale=RATIONALE)


def test_a_manager_cannot_resubmit_another_managers_case_by_its_id(
    cast: Any, employee: Any
) -> None:
    theirs = Walk(cast, employee, {"manager": Api.as_user(cast.other_manager)}).returned()

    refused(404, Api.as_user(cast.manager), theirs, "resubmit", note=RESUBMIT_NOTE)


@pytest.mark.parametrize("case_id", [0, 10**9, 2**63, 10**30])
@pytest.mark.parametrize("action", ACTIONS)
def test_ids_that_match_no_case_get_404_even_beyond_any_integer_column(
    walk: Walk, cast: Any, action: str, case_id: int
) -> None:
    walk.submitted()
    with nothing_written():
        response = walk.hr.act(case_id, action, **valid_body(action, cast))
    answer(response, 404)


@pytest.mark.parametrize("case_id", [0, 2**63, 10**30])
def test_reading_a_case_by_an_impossible_id_gets_404(walk: Walk, case_id: int) -> None:
    answer(walk.hr.case(case_id), 404)
    answer(walk.hr.path(case_id), 404)


# --- stage: 409 ------------------------------------------------------------

WRONG_STAGE = [
    ("triage", "hr", "informal"),
    ("triage", "hr", "returned"),
    ("resubmit", "manager", "submitted"),
    ("record_informal_outcome", "manager", "submitted"),
    ("record_informal_outcome", "hr", "panel"),
    ("convene_panel", "hr", "informal"),
    ("convene_panel", "hr", "convened"),
    ("decide", "panel_a", "signoff"),
    ("signoff", "director", "convened"),
    ("withdraw", "manager", "closed"),
    ("withdraw", "hr", "formal"),
]


@pytest.mark.parametrize(("action", "who", "point"), WRONG_STAGE)
def test_the_right_person_at_the_wrong_stage_gets_409(
    walk: Walk, cast: Any, people: dict[str, Any], action: str, who: str, point: str
) -> None:
    case = walk.at(point)

    body = refused(409, Api.as_user(people[who]), case, action, **valid_body(action, cast))

    assert "does not apply" in body["detail"]


@pytest.mark.parametrize("action", ACTIONS)
def test_a_stale_expected_version_gets_409_and_the_right_one_is_accepted(
    walk: Walk, cast: Any, people: dict[str, Any], action: str
) -> None:
    case = walk.at(POINT[action])
    who = {
        "resubmit": "manager",
        "decide": "panel_a",
        "signoff": "director",
        "record_informal_outcome": "manager",
    }.get(action, "hr")
    api = Api.as_user(people[who])
    body = valid_body(action, cast)

    for stale in {max(case["version"] - 1, 1), case["version"] + 1} - {case["version"]}:
        refused(409, api, case, action, expected_version=stale, **body)
    acted = ok(api.act(case["id"], action, expected_version=case["version"], **body))

    assert acted["version"] == case["version"] + 1


# --- input: 400 ------------------------------------------------------------

BAD_INPUT: list[tuple[str, str, dict[str, Any], str]] = [
    ("triage", "hr", {}, "route"),
    ("triage", "hr", {"route": "fly"}, "route"),
    ("triage", "hr", {"route": 7}, "route"),
    ("triage", "hr", {"route": "panel"}, "reason"),
    ("triage", "hr", {"route": "panel", "reason": "   "}, "reason"),
    ("triage", "hr", {"route": "return"}, "reason"),
    ("triage", "hr", {"route": "redirect", "reason": PANEL_REASON}, "policy"),
    ("triage", "hr", {"route": "redirect", "reason": PANEL_REASON, "policy": "fly"}, "policy"),
    ("triage", "hr", {"route": "panel", "reason": HUGE}, "reason"),
    ("triage", "hr", {"route": "informal", "rout": "panel"}, "rout"),
    ("triage", "hr", {"route": "informal", "expected_version": "two"}, "expected_version"),
    ("triage", "hr", {"route": "informal", "expected_version": 0}, "expected_version"),
    ("resubmit", "manager", {}, "note"),
    ("resubmit", "manager", {"note": "  "}, "note"),
    ("resubmit", "manager", {"note": RESUBMIT_NOTE, "summary": "Too short."}, "summary"),
    ("resubmit", "manager", {"note": HUGE}, "note"),
    ("record_informal_outcome", "manager", {"actions": INFORMAL_ACTIONS}, "resolved"),
    (
        "record_informal_outcome",
        "manager",
        {"resolved": "perhaps", "actions": INFORMAL_ACTIONS},
        "resolved",
    ),
    ("record_informal_outcome", "manager", {"resolved": True, "actions": " "}, "actions"),
    (
        "record_informal_outcome",
        "manager",
        {"resolved": False, "actions": INFORMAL_ACTIONS},
        "reason",
    ),
    ("convene_panel", "hr", {"members": "x", "chair": 1}, "members"),
    ("convene_panel", "hr", {"members": [0], "chair": 1}, "members.0"),
    ("convene_panel", "hr", {"members": list(range(1, 60)), "chair": 1}, "members"),
    ("convene_panel", "hr", {"members": [1], "chair": "one"}, "chair"),
    ("convene_panel", "hr", {"members": [1], "chair": 10**30}, "chair"),
    ("decide", "panel_a", {"outcome": "fly", "rationale": RATIONALE}, "outcome"),
    ("decide", "panel_a", {"outcome": "withdrawn", "rationale": RATIONALE}, "outcome"),
    ("decide", "panel_a", {"outcome": "mediation", "rationale": "Too short."}, "rationale"),
    ("decide", "panel_a", {"outcome": "mediation", "rationale": HUGE}, "rationale"),
    ("signoff", "director", {}, "approve"),
    ("signoff", "director", {"approve": "maybe"}, "approve"),
    ("signoff", "director", {"approve": False}, "reason"),
    ("signoff", "director", {"approve": False, "reason": HUGE}, "reason"),
    ("withdraw", "manager", {}, "reason"),
    ("withdraw", "manager", {"reason": "   "}, "reason"),
    ("withdraw", "manager", {"reason": None}, "reason"),
]


@pytest.mark.parametrize(("action", "who", "body", "field"), BAD_INPUT)
def test_bad_input_gets_400_naming_the_field(
    walk: Walk,
    people: dict[str, Any],
    action: str,
    who: str,
    body: dict[str, Any],
    field: str,
) -> None:
    case = walk.at(POINT[action])

    assert field in invalid(Api.as_user(people[who]), case, action, **body)


def test_convening_names_each_person_who_cannot_sit(walk: Walk, cast: Any) -> None:
    case = walk.panel()
    hr = walk.hr

    too_few = [cast.panel_a.pk, cast.panel_b.pk]
    assert invalid(hr, case, "convene_panel", members=too_few, chair=cast.panel_a.pk) == {"members"}
    with_manager = [*too_few, cast.manager.pk]
    errors = refused(400, hr, case, "convene_panel", members=with_manager, chair=cast.panel_a.pk)[
        "errors"
    ]
    assert any("referring manager" in m for m in errors["members"])
    three = [m.pk for m in cast.panel]
    assert invalid(hr, case, "convene_panel", members=three, chair=cast.hr.pk) == {"chair"}


def test_a_referral_with_bad_fields_names_every_one(walk: Walk, employee: Any) -> None:
    body = referral_body(
        employee,
        staff_number="NOPE",
        summary="short",
        concern_category="gossip",
        incident_date="yesterday",
    )
    with nothing_written():
        response = walk.manager.post(BASE, body)
    errors = answer(response, 400)["errors"]
    # The shape is checked first: the wrong choice and the unreadable date.
    assert set(errors) == {"concern_category", "incident_date"}

    body = referral_body(employee, staff_number="NOPE", summary="short")
    with nothing_written():
        response = walk.manager.post(BASE, body)
    assert set(answer(response, 400)["errors"]) == {"staff_number", "summary"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ethnic_category": "A"}, "ethnic_category"),
        ({"just_culture": "yes"}, "just_culture"),
        ({"just_culture": {"q1a": "maybe"}}, "just_culture.q1a"),
        ({"just_culture": {"q9z": True}}, "just_culture.q9z"),
        ({"incident_date": "2999-01-01"}, "incident_date"),
        ({"staff_number": HUGE}, "staff_number"),
        ({"summary": HUGE}, "summary"),
        ({"informal_steps_tried": HUGE}, "informal_steps_tried"),
        ({HUGE: 1}, HUGE),
    ],
)
def test_a_referral_with_wrong_types_or_unknown_fields_gets_400(
    walk: Walk, employee: Any, overrides: dict[str, Any], field: str
) -> None:
    with nothing_written():
        response = walk.manager.post(BASE, referral_body(employee, **overrides))
    assert field in answer(response, 400)["errors"]


# --- bodies that are not what any action takes ----------------------------

NOT_A_BODY = [
    pytest.param("{bad", id="malformed"),
    pytest.param('{"route": "informal",}', id="trailing-comma"),
    pytest.param('{"route": NaN}', id="nan"),
    pytest.param("[1, 2, 3]", id="list"),
    pytest.param('"informal"', id="string"),
    pytest.param("null", id="null"),
    pytest.param("[" * 100_000 + "]" * 100_000, id="nested-too-deep"),
    pytest.param('{"\\ud800": 1}', id="unpaired-surrogate-key"),
    pytest.param('{"route": "\\udfff"}', id="unpaired-surrogate-value"),
    pytest.param(b"\xff\xfe{}", id="not-utf8"),
]


@pytest.mark.parametrize("raw", NOT_A_BODY)
@pytest.mark.parametrize("url", [BASE, "actions"])
def test_a_body_that_is_not_a_json_object_gets_400(walk: Walk, raw: str | bytes, url: str) -> None:
    case = walk.submitted()
    target = action_url(case["id"], "triage") if url == "actions" else BASE

    with nothing_written():
        response = walk.hr.post_raw(target, raw)

    answer(response, 400)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param('{"just_culture": {"\\ud800": true}}', id="nested-surrogate-key"),
        pytest.param('{"concern_category": "\\ud800"}', id="surrogate-choice"),
    ],
)
def test_unpaired_surrogates_anywhere_in_a_referral_get_400(walk: Walk, raw: str) -> None:
    with nothing_written():
        response = walk.manager.post_raw(BASE, raw)
    assert "surrogate" in answer(response, 400)["detail"]


# --- no credentials, unknown routes ---------------------------------------


def endpoints(case_id: int) -> list[tuple[str, str]]:
    reads = [("GET", BASE), ("GET", case_url(case_id)), ("GET", f"{case_url(case_id)}path/")]
    writes = [("POST", BASE)] + [("POST", action_url(case_id, a)) for a in ACTIONS]
    return reads + writes


def test_without_credentials_every_endpoint_answers_401_in_json(walk: Walk) -> None:
    case = walk.submitted()
    anonymous = Api.anonymous()

    for method, url in endpoints(case["id"]):
        with nothing_written():
            response = anonymous.client.generic(method, url, "{}", "application/json")
        assert answer(response, 401)["detail"] == (
            "Authentication credentials were not provided."
        ), (method, url)
        # DRF answers 401, not 403, because the first authenticator names a scheme.
        assert response["WWW-Authenticate"] == "Token"


def test_a_made_up_token_gets_401(walk: Walk) -> None:
    case = walk.submitted()
    forger = Api.anonymous()
    forger.client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    for method, url in endpoints(case["id"]):
        with nothing_written():
            response = forger.client.generic(method, url, "{}", "application/json")
        assert answer(response, 401)["detail"] == "Invalid token."


def test_an_unknown_action_gets_404_listing_the_real_ones(walk: Walk) -> None:
    case = walk.submitted()

    with nothing_written():
        response = walk.hr.act(case["id"], "approve_everything")

    body = answer(response, 404)
    assert "approve_everything" in body["detail"]
    assert all(action in body["detail"] for action in ACTIONS)


def test_unknown_api_paths_and_methods_answer_in_json(walk: Walk) -> None:
    case = walk.submitted()

    answer(walk.hr.get("/api/v1/nothing-here/"), 404)
    answer(walk.hr.get(f"{BASE}-1/"), 404)
    answer(walk.hr.get(action_url(case["id"], "triage")), 405)
    with nothing_written():
        answer(walk.hr.client.delete(case_url(case["id"])), 405)


def test_a_post_to_a_mistyped_path_gets_a_json_404_not_a_csrf_page(cast: Any, walk: Walk) -> None:
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(cast.hr)

    for url in (f"{BASE}abc/actions/triage/", f"{BASE}null,null/", "/api/v2/referrals/"):
        with nothing_written():
            response = browser.post(url, {"route": "informal"}, format="json")
        assert answer(response, 404) == {"detail": "Not found."}


def test_a_body_that_is_not_json_at_all_gets_415(walk: Walk) -> None:
    case = walk.submitted()

    with nothing_written():
        response = walk.hr.client.post(
            action_url(case["id"], "triage"), "route=informal", content_type="text/plain"
        )

    answer(response, 415)


# --- the refusals leave the audit trail alone -----------------------------


def test_a_run_of_refusals_adds_no_audit_event_and_no_version(
    walk: Walk, cast: Any, people: dict[str, Any]
) -> None:
    case = walk.convened()
    events = AuditEvent.objects.filter(case_id=case["id"]).count()

    Api.as_user(cast.outsider).act(case["id"], "decide", outcome="mediation", rationale=RATIONALE)
    walk.hr.act(case["id"], "decide", outcome="mediation", rationale=RATIONALE)
    walk.chair.act(case["id"], "decide", outcome="mediation", rationale="short")
    walk.chair.act(
        case["id"], "decide", outcome="mediation", rationale=RATIONALE, expected_version=1
    )
    walk.director.act(case["id"], "signoff", approve=False, reason=DECLINE_REASON)
    walk.hr.act(case["id"], "triage", route="return", reason=RETURN_REASON)
    walk.hr.post_raw(action_url(case["id"], "decide"), json.dumps({"outcome": HUGE}))

    assert Case.objects.get(pk=case["id"]).version == case["version"]
    assert AuditEvent.objects.filter(case_id=case["id"]).count() == events
