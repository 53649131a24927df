"""Property-based: requests generated from the served OpenAPI document, sent to
the real WSGI application, never get a 5xx nor an answer the document does not
describe (status, content type, body schema, auth really enforced).

schemathesis reads ``/api/schema/`` once, at collection, and makes one test per
operation and caller. Each runs in pytest-django's transaction with a case
seeded at every point of the flow; most generated case ids are swapped for
seeded ones, so actions meet real cases (200, 403, 409), not only 404s.

One check is left out: ``positive_data_acceptance`` expects every
schema-valid request to succeed, but the services refuse some with a 400 the
schema cannot express (a staff number that names nobody, a reason required
only for some routes, a summary under 20 characters).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from knox.models import AuthToken
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from tenancy.context import trust_entered
from tenancy.models import Trust

from ..conftest import make_cast, shared_by_module
from ..factories import EmployeeFactory
from .steps import OPEN_POINTS, Walk

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

EXCLUDED: list[Any] = [positive_data_acceptance]
SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.filter_too_much]

# Ids of the cases seeded for the running test; read while examples are drawn.
SEEDED: list[int] = []


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    case_id = (path_parameters or {}).get("id")
    if not SEEDED or not isinstance(case_id, int) or isinstance(case_id, bool):
        return st.just(path_parameters)
    # The generated id (almost never a case: 404) or one of the seeded cases.
    ids = st.sampled_from([case_id, *SEEDED])
    return ids.map(lambda i: {**(path_parameters or {}), "id": i})


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, str]]:
    """A case at every point of the flow, and the Authorization header of each
    caller: made once for the module, inside a transaction rolled back at its
    end, in the trust every test acts for (``_tenant``). Each test runs in a
    savepoint of it, so what a test's requests change is gone for the next."""
    with shared_by_module(django_db_blocker):
        trust, _ = Trust.objects.get_or_create(code="RAL", defaults={"name": "Royal Test Trust"})
        with trust_entered(trust):
            cast = make_cast()
            walk = Walk(cast, EmployeeFactory())
            SEEDED[:] = [walk.at(point)["id"] for point in [*OPEN_POINTS, "formal", "closed"]]
            tokens = {
                who: f"Token {AuthToken.objects.create(user=getattr(cast, who))[1]}"
                for who in ("hr", "manager")
            }
        yield tokens
        SEEDED.clear()


@pytest.fixture
def callers(seeded: dict[str, str], db: None) -> Iterator[dict[str, str]]:
    """The seeded callers, with the test's database connection kept open.

    Django's WSGI handler closes old connections as each request starts and
    finishes, which inside pytest-django's test transaction ends the
    transaction. Django's test client switches that off around each of its own
    requests (the seeding) and back on after, so it is switched off here, last.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield seeded
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("who", ["hr", "manager"])
@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples every CI run: a finding is reproducible
    suppress_health_check=[*SLOW_IS_FINE, HealthCheck.function_scoped_fixture],
)
def test_each_operation_keeps_the_documents_promises(
    case: schemathesis.Case[Any], callers: dict[str, str], who: str
) -> None:
    case.call_and_validate(headers={"Authorization": callers[who]}, excluded_checks=EXCLUDED)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["hr", "manager"])
def test_sequences_of_calls_keep_the_documents_promises(callers: dict[str, str], who: str) -> None:
    """Stateful: schemathesis follows the links it infers (a listed case's id
    into its actions) through short sequences of calls."""
    headers = {"Authorization": callers[who]}

    class Caller(schema.as_state_machine()):  # type: ignore[misc]  # a class built at run time
        # Hypothesis replays scenarios and needs each to start from the same
        # state: every scenario runs in a savepoint rolled back at its end,
        # with no login failures counted.
        def setup(self) -> None:
            cache.clear()
            self.savepoint = transaction.savepoint()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(
            self,
            response: Any,
            case: schemathesis.Case[Any],
            additional_checks: Any = None,
            **kw: Any,
        ) -> None:
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=EXCLUDED,
                headers=headers,
                transport_kwargs=kw or None,
                recorder=self.recorder,
            )

    Caller.run(
        settings=settings(
            max_examples=25,
            stateful_step_count=6,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=SLOW_IS_FINE,
        )
    )


# --- input at the door: any query string on the list, an oversized body ------

LIST = schema["/api/v1/referrals/"]["GET"]
CREATE = schema["/api/v1/referrals/"]["POST"]
# The list's own filters and one it does not have; any text in each (Unicode
# but surrogates, which no URL can carry), and the values that used to fail.
FILTERS = ["stage", "org_unit", "outcome", "submitted_from", "submitted_to", "page", "colour"]
ANY_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["\x00", "a\x00b", "\x01", "9999-12-31", "0001-01-01", "2026-02-30", "0", "-1", "9" * 400]
    ),
)


@pytest.mark.parametrize("who", ["hr", "manager"])
@given(
    case=LIST.as_strategy(),
    query=st.dictionaries(st.sampled_from(FILTERS), ANY_TEXT, max_size=4),
)
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[*SLOW_IS_FINE, HealthCheck.function_scoped_fixture],
)
def test_the_list_answers_any_query_string_as_the_document_says(
    case: schemathesis.Case[Any], query: dict[str, str], callers: dict[str, str], who: str
) -> None:
    """Schema-valid filters are only part of what arrives: NUL, far dates and
    junk get a documented 400 in the API's error shape, never a 5xx."""
    case.query = query
    case.call_and_validate(headers={"Authorization": callers[who]}, excluded_checks=EXCLUDED)


@pytest.mark.parametrize("who", ["hr", "manager"])
def test_an_oversized_body_gets_the_documented_413(callers: dict[str, str], who: str) -> None:
    ten_mb = "x" * (10 * 1024 * 1024)
    case = CREATE.Case(body={"summary": ten_mb}, media_type="application/json")
    response = case.call_and_validate(
        headers={"Authorization": callers[who]}, excluded_checks=EXCLUDED
    )

    assert response.status_code == 413
    assert set(response.json()) == {"detail"}
    assert "too large" in response.json()["detail"]
