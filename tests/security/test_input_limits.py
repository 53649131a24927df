"""Oversized and malformed bodies are refused at the door, in the API's error
shape on the API and with a readable page on the web, and nothing is written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from workflow.models import Case

from ..api.steps import Api
from ..factories import referral_kwargs
from ..workflow.steps import Story

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024
REFERRALS = "/api/v1/referrals/"


def written() -> tuple[int, int]:
    return Case.objects.count(), AuditEvent.objects.count()


def big_referral(story: Story, size: int = TEN_MB) -> bytes:
    body = referral_kwargs(story.employee)
    body["incident_date"] = body["incident_date"].isoformat()
    body["summary"] = "x" * size
    return json.dumps(body).encode()


def test_the_limit_is_the_setting_in_megabytes() -> None:
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.FTP_REQUEST_BODY_MAX_MB * 1024 * 1024


def test_a_ten_megabyte_api_body_is_a_413_in_the_apis_shape(story: Story) -> None:
    api = Api.as_user(story.cast.manager)
    before = written()
    response = api.post_raw(REFERRALS, big_referral(story))

    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    limit = settings.FTP_REQUEST_BODY_MAX_MB
    assert response.json() == {"detail": f"The request body is too large (limit {limit} MB)."}
    assert written() == before


def test_a_ten_megabyte_action_body_is_a_413_and_the_case_does_not_move(story: Story) -> None:
    case = story.submitted()
    api = Api.as_user(story.cast.hr)
    before = written()
    body = json.dumps({"route": "panel", "reason": "x" * TEN_MB}).encode()
    response = api.post_raw(f"{REFERRALS}{case.pk}/actions/triage/", body)

    assert response.status_code == 413
    assert set(response.json()) == {"detail"}
    assert written() == before


def test_a_token_login_with_a_huge_body_is_a_413(story: Story) -> None:
    response = Api.anonymous().post_raw("/api/v1/auth/token/", b'{"username": "' + b"a" * TEN_MB)
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_a_body_just_under_the_limit_is_read_and_judged_on_its_content(story: Story) -> None:
    api = Api.as_user(story.cast.manager)
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 2048
    response = api.post_raw(REFERRALS, big_referral(story, size))

    # Read, and refused for what it says (the summary is over 10,000 characters).
    assert response.status_code == 400
    assert "summary" in response.json()["errors"]


def test_a_ten_megabyte_web_form_is_a_readable_413(story: Story) -> None:
    browser = Client(raise_request_exception=False)
    browser.force_login(story.cast.manager)
    before = written()
    data: dict[str, Any] = {
        **referral_kwargs(story.employee),
        "incident_date": "01/11/2026",
        "summary": "x" * TEN_MB,
    }
    data.pop("just_culture")
    response = browser.post(reverse("cases:new"), data)

    assert response.status_code == 413
    html = response.content.decode()
    assert "<title>" in html
    assert "too large" in html
    assert written() == before


@pytest.mark.parametrize(
    "query", ["stage=%00", "org_unit=%00", "outcome=%00", "cursor=%00", "%00=1", "submitted_to=%00"]
)
def test_a_nul_byte_in_an_api_filter_is_a_400_in_the_apis_shape(story: Story, query: str) -> None:
    api = Api.as_user(story.cast.hr)
    response = api.client.get(f"{REFERRALS}?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert body["errors"]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"])
@pytest.mark.parametrize("field", ["submitted_from", "submitted_to"])
def test_a_far_date_in_an_api_filter_is_a_400_saying_the_range(
    story: Story, field: str, day: str
) -> None:
    response = Api.as_user(story.cast.hr).cases(**{field: day})

    assert response.status_code == 400
    assert "between 2000 and 2100" in response.json()["errors"][field][0]


def test_a_nul_byte_on_a_page_the_product_does_not_parse_is_a_400() -> None:
    """The admin's own filters reach the database too; the door refuses NUL for them."""
    root = get_user_model().objects.create_superuser("root", "root@example.invalid", "pw-R00t!")
    browser = Client(raise_request_exception=False)
    browser.force_login(root)
    for url in ("/admin/workflow/case/?stage__exact=%00", "/admin/audit/auditevent/?q=%00"):
        response = browser.get(url)
        assert response.status_code == 400, url
        assert "could not be understood" in response.content.decode()
    assert browser.get("/admin/workflow/case/?stage__exact=closed").status_code == 200


def test_a_nul_byte_in_the_path_is_a_400_in_the_apis_shape(story: Story) -> None:
    response = Api.as_user(story.cast.hr).client.get(f"{REFERRALS}%00/")
    assert response.status_code == 400
    assert response.json()["errors"] == {"__all__": ["Null characters are not allowed."]}


def test_too_many_fields_is_a_400_in_each_channels_shape(story: Story) -> None:
    """Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS parameters itself;
    handler400 answers it as the door does."""
    query = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    api = Api.as_user(story.cast.hr).client.get(f"{REFERRALS}?{query}")
    assert api.status_code == 400
    assert api["Content-Type"].startswith("application/json")
    assert api.json()["errors"]

    browser = Client(raise_request_exception=False)
    browser.force_login(story.cast.hr)
    web = browser.get(f"{reverse('cases:list')}?{query}")
    assert web.status_code == 400
    assert "could not be understood" in web.content.decode()
