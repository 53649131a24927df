"""The request log: one JSON line per request with its id, user, route,
method, status and time, the request id on every other line too, and never
what anybody typed or what a case holds.

The lines are read as the configured console handler writes them, with the
JSON formatter ``FTP_LOG_FORMAT=json`` selects (config/settings.py
``LOGGING``), through the real views.
"""

from __future__ import annotations

import io
import json
import logging
import re
import string
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse
from django.utils.module_loading import import_string
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from staff.ethnicity import EthnicCategory
from tenancy.context import trust_entered
from workflow.models import Case

from ..api.steps import BASE, Api, referral_body
from ..factories import EmployeeFactory
from ..web.pages import login, submit, submit_case

pytestmark = pytest.mark.django_db

LogLines = Callable[[], list[dict[str, Any]]]
FIELDS = {"request_id", "user_id", "route", "method", "status", "duration_ms"}
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a view that fails")


# For the 500 test (pytest.mark.urls): a URL conf with one failing view.
urlpatterns = [path("boom/<int:pk>/", _boom, name="boom")]


@pytest.fixture
def log_lines() -> Iterator[LogLines]:
    """What the console handler writes, as JSON (FTP_LOG_FORMAT=json), parsed
    line by line: every line must be one JSON object."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    assert isinstance(handler, logging.StreamHandler)
    config: dict[str, Any] = settings.LOGGING
    spec = dict(config["formatters"]["json"])
    formatter = import_string(spec.pop("()"))(**spec)
    buffer = io.StringIO()
    previous_stream, previous_formatter = handler.stream, handler.formatter
    handler.setStream(buffer)
    handler.setFormatter(formatter)

    def read() -> list[dict[str, Any]]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    try:
        yield read
    finally:
        handler.setStream(previous_stream)
        handler.setFormatter(previous_formatter)


def request_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["logger"] == "ops.requests"]


def only_request_line(log_lines: LogLines) -> dict[str, Any]:
    (line,) = request_lines(log_lines())
    assert set(line) >= FIELDS
    return line


def test_a_page_writes_one_line_naming_its_route_user_status_and_time(
    client: Client, cast: Any, employee: Any, log_lines: LogLines
) -> None:
    case = submit_case(client, cast.manager, employee)
    before = len(request_lines(log_lines()))

    response = client.get(reverse("cases:detail", args=[case.pk]) + "?from=inbox")

    lines = request_lines(log_lines())[before:]
    assert len(lines) == 1
    line = lines[0]
    assert response.status_code == 200
    assert line["request_id"] == response["X-Request-ID"]
    assert GENERATED_ID.fullmatch(line["request_id"])
    assert line["user_id"] == cast.manager.pk
    assert line["route"] == "cases/<int:pk>/"
    assert (line["method"], line["status"]) == ("GET", 200)
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert "inbox" not in json.dumps(line)  # no query string


def test_an_anonymous_probe_has_no_user_and_loads_none(
    client: Client, log_lines: LogLines, django_assert_num_queries: Any
) -> None:
    # A request starts outside any trust (the last one left its own), as here.
    with trust_entered(None), django_assert_num_queries(0):
        client.get("/health/live")
    line = only_request_line(log_lines)
    assert (line["user_id"], line["route"], line["status"]) == (None, "health/live", 200)


def test_a_post_that_redirects_is_logged_with_its_status(
    client: Client, cast: Any, employee: Any, log_lines: LogLines
) -> None:
    response = submit(client, cast.manager, employee)
    line = only_request_line(log_lines)
    assert response.status_code == 302
    assert (line["route"], line["method"], line["status"]) == ("cases/new/", "POST", 302)


def test_an_unknown_address_is_one_line_with_no_route(client: Client, log_lines: LogLines) -> None:
    response = client.get("/qzx-nowhere/Jane-Doe/?q=secret")
    line = only_request_line(log_lines)
    assert response.status_code == 404
    assert (line["route"], line["status"]) == (None, 404)
    # Django's own "Not Found" line carries the request id too, and neither
    # it nor ours the query string.
    django_line = next(x for x in log_lines() if x["logger"] == "django.request")
    assert django_line["request_id"] == line["request_id"]
    assert "secret" not in json.dumps(log_lines())


def test_a_case_nobody_may_see_is_a_404_under_its_route(
    client: Client, cast: Any, log_lines: LogLines
) -> None:
    login(client, cast.outsider)
    client.get(reverse("cases:detail", args=[987_654]))
    line = only_request_line(log_lines)
    assert (line["route"], line["status"], line["user_id"]) == (
        "cases/<int:pk>/",
        404,
        cast.outsider.pk,
    )


@pytest.mark.urls(__name__)
def test_a_failing_view_is_one_500_line_and_the_error_carries_the_request_id(
    log_lines: LogLines,
) -> None:
    response = Client(raise_request_exception=False).get("/boom/7/")
    line = only_request_line(log_lines)
    assert response.status_code == 500
    assert (line["route"], line["status"]) == ("boom/<int:pk>/", 500)
    error = next(x for x in log_lines() if x["logger"] == "django.request")
    assert error["level"] == "ERROR"
    assert error["request_id"] == line["request_id"] == response["X-Request-ID"]


def test_lines_outside_a_request_carry_no_request_id(client: Client, log_lines: LogLines) -> None:
    client.get("/health/live")
    logging.getLogger("ops.tests").warning("after the request")
    assert log_lines()[-1]["request_id"] is None


WELL_FORMED = st.from_regex(r"[A-Za-z0-9._-]{1,64}", fullmatch=True)
MALFORMED = st.one_of(
    st.just(""),
    st.from_regex(r"[A-Za-z0-9]{65,100}", fullmatch=True),
    st.text(min_size=1, max_size=40).filter(lambda s: re.search(r"[^A-Za-z0-9._-]", s)),
)


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(given_id=WELL_FORMED)
def test_a_well_formed_request_id_is_kept_and_echoed(
    client: Client, log_lines: LogLines, given_id: str
) -> None:
    response = client.get("/health/live", HTTP_X_REQUEST_ID=given_id)
    assert response["X-Request-ID"] == given_id
    assert request_lines(log_lines())[-1]["request_id"] == given_id


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(given_id=MALFORMED)
def test_a_malformed_request_id_is_replaced(
    client: Client, log_lines: LogLines, given_id: str
) -> None:
    response = client.get("/health/live", HTTP_X_REQUEST_ID=given_id)
    assert GENERATED_ID.fullmatch(response["X-Request-ID"])
    assert request_lines(log_lines())[-1]["request_id"] == response["X-Request-ID"]


# Distinctive text: letters no id or hex digest is made of, with spaces,
# quotes, markup and accents a person might type.
def marker(min_size: int) -> st.SearchStrategy[str]:
    return st.text(
        alphabet=st.sampled_from(string.ascii_letters[6:26] + "GHJKLMNPRSTUVWXYZ \"'<&>éöß"),
        min_size=min_size,
        max_size=min_size + 30,
    ).filter(lambda s: s.strip() == s and len(set(s)) >= 4)


@hypothesis_settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(summary=marker(20), name=marker(12), query=marker(12))  # a summary has 20 or more
def test_what_people_type_and_what_cases_hold_never_reach_the_log(
    client: Client, cast: Any, log_lines: LogLines, summary: str, name: str, query: str
) -> None:
    """A referral submitted through the web form and through the API, then
    read by HR (who may see the ethnic category: the showing goes to the
    audit log) on the case page, the lists and the API, each with the
    marker in its query string: nothing of it is in any line."""
    employee = EmployeeFactory.create(name=name, ethnic_category=EthnicCategory.N)
    start = len(log_lines())

    web = submit(client, cast.manager, employee, summary=summary, informal_steps_tried=summary)
    assert web.status_code == 302, web.content[:500]
    api = Api.with_token(cast.manager.username)
    submitted = api.post(BASE, referral_body(employee, summary=summary))
    assert submitted.status_code == 201, submitted.content[:500]
    login(client, cast.hr)
    case = Case.objects.filter(employee=employee).latest("id")
    client.get(reverse("cases:detail", args=[case.pk]), {"q": query})
    client.get(reverse("cases:list"), {"org_unit": query, "note": query})
    hr = Api.as_user(cast.hr)
    assert hr.get(f"{BASE}{case.pk}/", {"q": query}).status_code == 200
    hr.get(BASE, {"org_unit": query})

    written = log_lines()[start:]
    assert len(request_lines(written)) == 7
    text = json.dumps(written, ensure_ascii=False)
    for secret in (summary, name, query, quote(query), EthnicCategory.N.label, "pw-Cast-2026!"):
        assert secret not in text
    values = [v for line in written for v in line.values()]
    assert EthnicCategory.N.value not in values
    assert not any("ethnic" in key for line in written for key in line)
