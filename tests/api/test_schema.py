"""The OpenAPI document: valid, complete, and browsable without leaving the trust's network."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import URLPattern
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from api import urls as api_urls
from panels.models import PANEL_OUTCOMES
from workflow.models import ConcernCategory, TriageRoute
from workflow.rules import Action

JSON = "application/vnd.oai.openapi+json"

# Each action's body: every property, and the ones a client must send.
ACTION_BODIES: dict[str, tuple[set[str], set[str]]] = {
    "triage": ({"route", "reason", "policy", "owner", "wellbeing_contact"}, {"route"}),
    "resubmit": ({"note", "summary", "informal_steps_tried"}, {"note"}),
    "record_informal_outcome": ({"resolved", "actions", "reason"}, {"resolved", "actions"}),
    "convene_panel": ({"members", "chair"}, {"members", "chair"}),
    "replace_members": ({"members", "chair"}, {"members"}),
    "declare": ({"no_conflict", "reason"}, {"no_conflict"}),
    "record_view": ({"outcome", "comment"}, {"outcome", "comment"}),
    "decide": (
        {"outcome", "rationale", "agreed_actions", "just_culture", "without_account_reason"},
        {"outcome", "rationale"},
    ),
    "record_employee_told": ({"told_on", "method"}, {"told_on", "method"}),
    "issue_account_link": ({"withdraw"}, set()),
    "record_account": ({"source", "text", "meeting_on", "file"}, {"source"}),
    "signoff": ({"approve", "reason"}, {"approve", "reason"}),
    "record_suspension": (
        {"kind", "reason", "decided_by", "started_on"},
        {"kind", "reason", "decided_by", "started_on"},
    ),
    "review_suspension": (
        {"reviewed_on", "decision", "reason"},
        {"reviewed_on", "decision", "reason"},
    ),
    "lift_suspension": ({"lifted_on", "reason"}, {"lifted_on", "reason"}),
    "set_wellbeing_contact": ({"wellbeing_contact"}, {"wellbeing_contact"}),
    "record_checkin": ({"held_on", "how", "declined", "notes"}, {"held_on", "how"}),
    "withdraw": ({"reason"}, {"reason"}),
    # The formal process (formal/).
    "name_investigator": ({"investigator"}, {"investigator"}),
    "record_investigation_outcome": (
        {"investigation_outcome", "reason"},
        {"investigation_outcome", "reason"},
    ),
    "schedule_hearing": (
        {"hearing_on", "chair", "accompaniment_told", "companion_name", "companion_role"},
        {"hearing_on", "chair", "accompaniment_told"},
    ),
    "record_hearing_outcome": (
        {"held_on", "sanction", "detail", "companion_name"},
        {"held_on", "sanction"},
    ),
    "lodge_appeal": ({"lodged_on", "grounds", "hearer"}, {"lodged_on", "grounds", "hearer"}),
    "record_appeal_outcome": ({"appeal_outcome"}, {"appeal_outcome"}),
    "conclude_formal": (set(), set()),
}


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT=JSON)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(JSON)
    document: dict[str, Any] = response.json()
    return document


def body_of(doc: dict[str, Any], path: str) -> dict[str, Any]:
    """The resolved JSON schema of an operation's request body."""
    ref = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return resolve(doc, ref)


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        component: dict[str, Any] = doc["components"]["schemas"][name]
        return component
    return schema


def served_routes() -> set[tuple[str, str]]:
    """(path, method) for every route in api/urls.py a client can call, in OpenAPI form."""
    routes = set()
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        view = getattr(pattern.callback, "view_class", None)
        # Not endpoints: the document itself, its page, and the JSON 404s.
        if view is None or route.startswith(("schema/", "docs/")) or "<str:action>" in route:
            continue
        path = "/api/" + route.replace("<int:pk>", "{id}")
        routes |= {(path, m) for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}
    return routes


def test_the_schema_generates_without_warnings_and_validates(tmp_path: Path) -> None:
    GENERATOR_STATS.reset()
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", tmp_path / "api.yaml")
    assert (tmp_path / "api.yaml").read_text().startswith("openapi: 3.0")


def test_the_served_document_is_valid_openapi_3(doc: dict[str, Any]) -> None:
    validate_schema(doc)
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "Fair Treatment Panel API"


def test_every_endpoint_is_documented_and_nothing_else(doc: dict[str, Any]) -> None:
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert documented == served_routes()
    # Every action that changes a case is a POST under actions/; the suggestion,
    # which changes nothing, is a GET of its own.
    changing = [a for a in Action if a is not Action.SUGGEST_PANEL]
    assert {f"/api/v1/referrals/{{id}}/actions/{a.value}/" for a in changing} <= set(doc["paths"])
    assert "get" in doc["paths"]["/api/v1/referrals/{id}/panel-suggestion/"]


@pytest.mark.parametrize("action", list(ACTION_BODIES))
def test_each_action_documents_its_own_body(doc: dict[str, Any], action: str) -> None:
    path = f"/api/v1/referrals/{{id}}/actions/{action}/"
    body = body_of(doc, path)
    properties, required = ACTION_BODIES[action]

    assert set(body["properties"]) == properties | {"expected_version"}
    # (A body with nothing required, such as issuing a link, has no list.)
    assert set(body.get("required", [])) == required
    assert body["additionalProperties"] is False  # unknown fields are refused with 400
    responses = doc["paths"][path]["post"]["responses"]
    assert set(responses) == {"200", "400", "401", "403", "404", "409", "413"}
    assert responses["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/CaseOut")


def test_the_choices_a_client_can_send_are_enumerated(doc: dict[str, Any]) -> None:
    triage = body_of(doc, "/api/v1/referrals/{id}/actions/triage/")
    decide = body_of(doc, "/api/v1/referrals/{id}/actions/decide/")
    referral = body_of(doc, "/api/v1/referrals/")

    assert resolve(doc, triage["properties"]["route"])["enum"] == TriageRoute.values
    assert resolve(doc, decide["properties"]["outcome"])["enum"] == [
        o.value for o in PANEL_OUTCOMES
    ]
    category = resolve(doc, referral["properties"]["concern_category"])
    assert category["enum"] == ConcernCategory.values
    assert set(referral["required"]) == {
        "staff_number",
        "concern_category",
        "summary",
        "incident_date",
    }


def test_the_list_documents_its_pages_and_filters(doc: dict[str, Any]) -> None:
    get = doc["paths"]["/api/v1/referrals/"]["get"]
    page = resolve(doc, get["responses"]["200"]["content"]["application/json"]["schema"])

    assert set(page["properties"]) == {"next", "previous", "results", "close_matches"}
    assert {p["name"] for p in get["parameters"]} == {
        "q",
        "sort",
        "stage",
        "org_unit",
        "outcome",
        "submitted_from",
        "submitted_to",
        "cursor",
    }


def test_errors_are_documented_with_a_detail_and_400s_with_field_errors(
    doc: dict[str, Any],
) -> None:
    schemas = doc["components"]["schemas"]
    assert schemas["Error"]["required"] == ["detail"]
    assert set(schemas["ValidationError"]["required"]) == {"detail", "errors"}
    token = doc["paths"]["/api/v1/auth/token/"]["post"]
    assert {"401", "429"} <= set(token["responses"])


def test_the_docs_page_renders_from_local_files_only() -> None:
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"cdn|unpkg|jsdelivr", html, re.IGNORECASE)
    assert 'url: "/api/schema/"' in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    assert all(a.startswith("/static/drf_spectacular_sidecar/") for a in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
