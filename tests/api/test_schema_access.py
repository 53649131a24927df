"""Who may read the API's schema and its docs page: anyone while
``FTP_API_SCHEMA_PUBLIC`` is true (the default outside production); only a
signed-in user or a token holder while it is false (production's default)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

JSON = "application/vnd.oai.openapi+json"
PLACES = ["/api/schema/", "/api/docs/"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_schema(settings: Any) -> None:
    settings.FTP_API_SCHEMA_PUBLIC = False


def token_for(user: Any) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": user.get_username(), "password": "pw-Cast-2026!"},
        format="json",
    )
    assert response.status_code == 200, response.content
    token: str = response.json()["token"]
    return token


@pytest.mark.parametrize("place", PLACES)
def test_anyone_may_read_the_schema_and_docs_while_they_are_public(
    settings: Any, place: str
) -> None:
    settings.FTP_API_SCHEMA_PUBLIC = True

    response = APIClient().get(place)

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("place", "accept"),
    [
        ("/api/schema/", JSON),
        ("/api/schema/", "application/vnd.oai.openapi"),  # YAML
        ("/api/schema/", "*/*"),
        ("/api/docs/", "text/html"),
        ("/api/docs/", "*/*"),
    ],
)
def test_a_stranger_is_refused_the_private_schema_and_docs_in_the_apis_json_shape(
    private_schema: None, place: str, accept: str
) -> None:
    response = APIClient().get(place, HTTP_ACCEPT=accept)

    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail"}
    assert "credentials" in body["detail"].lower()
    assert b"openapi" not in response.content.lower()


@pytest.mark.parametrize("place", PLACES)
def test_a_signed_in_person_still_reads_the_private_schema_and_docs(
    private_schema: None, cast: Any, place: str
) -> None:
    browser = APIClient()
    browser.force_login(cast.manager)

    response = browser.get(place)

    assert response.status_code == 200


def test_an_integrator_with_a_token_reads_the_private_schema(
    private_schema: None, cast: Any
) -> None:
    integrator = APIClient()
    integrator.credentials(HTTP_AUTHORIZATION=f"Token {token_for(cast.hr)}")

    response = integrator.get("/api/schema/", HTTP_ACCEPT=JSON)

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Fair Treatment Panel API"
