"""The speak-up pages (web/speakup.py).

* The anonymous route stores no identity: every table (every model's,
  viewflow's, the sessions', axes', the audit log's) is read before and after
  the request, and no new or changed row holds the person's id, username or
  email, the client's address or user agent, or the session key; nor does
  the request's log line.
* A case key and passphrase read that concern's replies and nothing else.
* Guardians are the only role that sees concerns: every other role, a
  superuser included, is refused the list, a concern's page and its actions.
* Nothing of a concern reaches a page, list, export or API of the case
  engine, for a guardian or an HR adviser; no concern can become a referral.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.middleware import REFRESHED_KEY
from accounts.roles import Role
from audit.models import AuditEvent
from notifications.models import Notification
from speakup.models import Concern, ConcernMessage, Route
from speakup.services import (
    EVENT_TYPES,
    concern_acknowledge,
    concern_raise,
    concern_reply,
)
from workflow.services import case_triage, referral_submit

from ..factories import EmployeeFactory, make_user, org_tree, referral_kwargs

RAISE = "/speak-up/"
FOLLOW_UP = "/speak-up/follow-up/"
CONCERNS = "/speak-up/concerns/"
IP = "203.0.113.77"
AGENT = "Qzx-Browser/9.9 (reporter's own)"
ACCOUNT = "Qzx-account: the charge nurse calls me by a racist nickname"


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    org_tree()
    users = {
        "guardian": make_user("gwen.guardian", Role.FTSU_GUARDIAN),
        "staff": make_user("sam.staff", Role.STAFF),
        "hr": make_user("hana.hr", Role.HR),
    }
    users["staff"].email = "sam.staff@example.org"
    users["staff"].first_name, users["staff"].last_name = "Samira", "Stafford"
    users["staff"].save()
    return users


def _client(user: Any = None) -> Client:
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)
    if user is not None:
        client.force_login(user)
    return client


def _form(route: str = Route.ANONYMOUS, **extra: str) -> dict[str, str]:
    return {"route": route, "topic": "racism", "account": ACCOUNT, "trust": "RAL", **extra}


# --- every table, before and after ---------------------------------------------------


def _models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]


def _snapshot() -> dict[str, dict[Any, dict[str, Any]]]:
    tables = {m._meta.db_table: m for m in _models()}
    names = set(tables)
    # The sessions, axes' and the audit log's tables are among them: say so.
    assert {"django_session", "axes_accessattempt", "axes_accesslog", "audit_auditevent"} <= names
    assert any(n.startswith("viewflow_") for n in names)
    return {table: {row["pk_"]: row for row in _rows(model)} for table, model in tables.items()}


def _rows(model: type[models.Model]) -> Iterator[dict[str, Any]]:
    pk = model._meta.pk
    assert pk is not None
    for row in model._base_manager.values():
        row["pk_"] = row[pk.attname]
        yield row


USER_KEYS = re.compile(r"(user|actor|reporter|recipient|author|by)(_id)?$")


def _user_fields(model: type[models.Model]) -> set[str]:
    user_model = get_user_model()
    return {
        f.attname
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is user_model
    }


def _json_user_ids(value: Any) -> Iterator[int]:
    if isinstance(value, dict):
        for k, v in value.items():
            if USER_KEYS.search(str(k)) and isinstance(v, int):
                yield v
            yield from _json_user_ids(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_user_ids(v)


def _row_traces(
    row: dict[str, Any], user_columns: set[str], user: Any, secrets: list[str]
) -> list[str]:
    text = repr(row)
    found = [repr(secret) for secret in secrets if secret and secret in text]
    if user is not None:
        found += [f"{c} = the user" for c in user_columns if row.get(c) == user.pk]
        found += [
            "the user's id in a JSON value"
            for value in row.values()
            if user.pk in set(_json_user_ids(value))
        ]
    return found


def _traces(
    before: dict[str, dict[Any, dict[str, Any]]],
    after: dict[str, dict[Any, dict[str, Any]]],
    *,
    user: Any,
    secrets: list[str],
) -> list[str]:
    """Each new or changed row holding the user's id (a user column, or a
    user-ish key of a JSON value) or any of ``secrets`` anywhere in its text."""
    models_by_table = {m._meta.db_table: m for m in _models()}
    found: list[str] = []
    for table, rows in after.items():
        user_columns = _user_fields(models_by_table[table])
        for pk, row in rows.items():
            if before[table].get(pk) != row:
                found += [
                    f"{table} {pk}: {t}" for t in _row_traces(row, user_columns, user, secrets)
                ]
    return found


def _new_rows(before: Any, after: Any) -> dict[str, int]:
    return {t: len(set(after[t]) - set(before[t])) for t in after if set(after[t]) - set(before[t])}


def test_a_visitor_raises_an_anonymous_concern_and_leaves_no_trace(
    people: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    client = _client()
    page = client.get(RAISE)
    assert page.status_code == 200  # the trust to choose
    assert 'href="?trust=RAL"' in page.content.decode()
    form_page = client.get(RAISE + "?trust=RAL")
    assert form_page.status_code == 200
    assert 'value="open"' not in form_page.content.decode()  # anonymously only
    before = _snapshot()
    with caplog.at_level(logging.INFO, logger="ops.requests"):
        response = client.post(RAISE, _form())
    after = _snapshot()
    body = response.content.decode()
    assert response.status_code == 200, body[:3000]
    assert "no-store" in response["Cache-Control"]
    assert 'data-testid="case-key"' in body
    assert 'data-testid="passphrase"' in body
    assert "sessionid" not in response.cookies
    assert _traces(before, after, user=None, secrets=[IP, AGENT]) == []
    # It wrote the concern, its audit event and the guardian's notice: nothing of anyone.
    new = _new_rows(before, after)
    assert new.get("speakup_concern") == 1
    assert "django_session" not in new
    concern = Concern.objects.get()
    assert concern.reporter_id is None
    assert concern.route == Route.ANONYMOUS
    lines = [
        r
        for r in caplog.records
        if getattr(r, "route", None) == "speak-up/" and getattr(r, "method", "") == "POST"
    ]
    assert lines
    assert all(getattr(r, "user_id", "missing") is None for r in lines)


def test_a_signed_in_person_choosing_anonymous_leaves_no_trace(
    people: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    staff = people["staff"]
    client = _client(staff)
    # A session due for its idle refresh: the request must not refresh it.
    session = client.session
    session[REFRESHED_KEY] = 0
    session.save()
    session_key = session.session_key
    page = client.get(RAISE)
    assert page.status_code == 200
    assert 'value="confidential"' in page.content.decode()
    session = client.session
    session[REFRESHED_KEY] = 0
    session.save()
    before = _snapshot()
    with caplog.at_level(logging.INFO, logger="ops.requests"):
        response = client.post(RAISE, _form(ethnic_category="N", professional_group="nursing"))
    after = _snapshot()
    assert response.status_code == 200, response.content.decode()[:3000]
    secrets = [IP, AGENT, staff.username, staff.email, "Samira", "Stafford", str(session_key)]
    assert _traces(before, after, user=staff, secrets=secrets) == []
    assert "django_session" not in _new_rows(before, after)
    assert before["django_session"] == after["django_session"]
    lines = [
        r
        for r in caplog.records
        if getattr(r, "route", None) == "speak-up/" and getattr(r, "method", "") == "POST"
    ]
    assert lines
    assert all(getattr(r, "user_id", "missing") is None for r in lines)
    concern = Concern.objects.get()
    assert concern.reporter_id is None
    assert concern.ethnic_category == "N"
    # The follow-up by key leaves none either, and opens nothing else.
    key = re.search(r'data-testid="case-key">([^<]+)<', response.content.decode())
    phrase = re.search(r'data-testid="passphrase">([^<]+)<', response.content.decode())
    assert key
    assert phrase
    before = _snapshot()
    followed = client.post(
        FOLLOW_UP, {"case_key": key[1], "passphrase": phrase[1], "body": "Qzx more to say"}
    )
    after = _snapshot()
    assert followed.status_code == 200
    assert 'data-testid="sent"' in followed.content.decode()
    assert _traces(before, after, user=staff, secrets=secrets) == []
    assert ConcernMessage.objects.get().guardian_id is None


def test_named_routes_name_the_reporter_to_the_guardian_only(people: dict[str, Any]) -> None:
    staff, guardian = people["staff"], people["guardian"]
    response = _client(staff).post(RAISE, _form(route=Route.CONFIDENTIAL))
    assert response.status_code == 200
    concern = Concern.objects.get()
    assert concern.reporter_id == staff.pk
    page = _client(guardian).get(f"{CONCERNS}{concern.pk}/")
    assert page.status_code == 200
    assert "Samira Stafford" in page.content.decode()
    assert ACCOUNT in page.content.decode()
    mine = _client(staff).get("/speak-up/mine/")
    assert mine.status_code == 200
    assert f"/speak-up/mine/{concern.pk}/" in mine.content.decode()
    # A visitor (not signed in) may not raise by name.
    refused = _client().post(RAISE, _form(route=Route.OPEN))
    assert refused.status_code == 400
    assert Concern.objects.count() == 1


def test_bad_input_is_a_400_with_the_errors(people: dict[str, Any]) -> None:
    response = _client(people["staff"]).post(RAISE, _form(account="", topic="weather"))
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    listing = _client(people["guardian"]).get(CONCERNS + "?status=bogus&cursor=%00")
    assert listing.status_code == 400
    assert not Concern.objects.exists()


def _anonymous(guardian: Any, text: str) -> Any:
    raised = concern_raise(reporter=None, route=Route.ANONYMOUS, topic="racism", account=text)
    concern_reply(concern_id=raised.concern.pk, actor=guardian, body=f"{text} reply", signed=False)
    return raised


def test_key_and_passphrase_read_that_concern_and_nothing_else(people: dict[str, Any]) -> None:
    guardian = people["guardian"]
    mine = _anonymous(guardian, "Qzx-mine")
    theirs = _anonymous(guardian, "Qzx-theirs")
    named = concern_raise(
        reporter=people["staff"], route=Route.OPEN, topic="other", account="Qzx-named"
    )
    concern_reply(concern_id=named.concern.pk, actor=guardian, body="Qzx-named reply", signed=True)
    client = _client()
    response = client.post(
        FOLLOW_UP + "?trust=RAL",
        {"case_key": mine.case_key, "passphrase": mine.passphrase, "trust": "RAL"},
    )
    body = response.content.decode()
    assert response.status_code == 200, body[:2000]
    assert "Qzx-mine reply" in body
    for other in ("Qzx-theirs", "Qzx-named", guardian.username, "gwen"):
        assert other not in body
    assert "A Freedom to Speak Up guardian" in body  # unsigned
    assert "sessionid" not in response.cookies
    # Nothing else opened: no login, no list, no guardians' page.
    assert client.get("/speak-up/mine/").status_code == 302
    assert client.get(f"{CONCERNS}{mine.concern.pk}/").status_code == 302
    assert client.get("/cases/").status_code == 302
    # Wrong key or wrong passphrase: the same answer.
    wrong_phrase = client.post(
        FOLLOW_UP, {"case_key": mine.case_key, "passphrase": theirs.passphrase, "trust": "RAL"}
    )
    wrong_key = client.post(
        FOLLOW_UP,
        {"case_key": "ZZZZ-ZZZZ-ZZZZ-ZZZZ", "passphrase": mine.passphrase, "trust": "RAL"},
    )
    assert wrong_phrase.status_code == wrong_key.status_code == 400

    def notice(r: Any) -> str:
        return (
            re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())
            .replace(mine.case_key, "")
            .replace("ZZZZ-ZZZZ-ZZZZ-ZZZZ", "")
            .replace(theirs.passphrase, "")
            .replace(mine.passphrase, "")
        )

    assert notice(wrong_phrase) == notice(wrong_key)
    assert "Qzx-mine" not in wrong_phrase.content.decode()


def test_guessing_is_throttled(people: dict[str, Any]) -> None:
    mine = _anonymous(people["guardian"], "Qzx-mine")
    client = _client()
    statuses = [
        client.post(
            FOLLOW_UP, {"case_key": mine.case_key, "passphrase": "nope", "trust": "RAL"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [400] * 5 + [429]
    right = client.post(
        FOLLOW_UP, {"case_key": mine.case_key, "passphrase": mine.passphrase, "trust": "RAL"}
    )
    assert right.status_code == 429
    assert "Qzx-mine" not in right.content.decode()


NON_GUARDIANS = [r for r in Role if r != Role.FTSU_GUARDIAN]


@pytest.mark.parametrize("role", [*NON_GUARDIANS, "superuser", "superuser_hr", "no_role"])
def test_only_guardians_see_concerns(people: dict[str, Any], role: Any) -> None:
    raised = concern_raise(
        reporter=people["staff"], route=Route.OPEN, topic="racism", account=ACCOUNT
    )
    pk = raised.concern.pk
    if role == "superuser":
        user = get_user_model().objects.create_superuser("su", "su@example.org", "pw-Su-2026!x")
    elif role == "superuser_hr":
        user = make_user("su.hr", Role.HR)
        user.is_superuser = user.is_staff = True
        user.save()
    elif role == "no_role":
        user = make_user("olly.outsider")
    else:
        user = make_user(f"p.{role}", role)
    client = _client(user)
    for url in (CONCERNS, f"{CONCERNS}{pk}/", f"{CONCERNS}999999/"):
        response = client.get(url)
        assert response.status_code == 403, (url, response.status_code)
        assert ACCOUNT not in response.content.decode()
    for action in ("acknowledge", "reply", "close", "categorise"):
        response = client.post(f"{CONCERNS}{pk}/{action}/", {"body": "x", "feedback": "x"})
        assert response.status_code == 403
    concern = Concern.objects.get(pk=pk)
    assert concern.acknowledged_at is None
    assert concern.closed_at is None
    assert not ConcernMessage.objects.exists()
    # The admin registers no concern.
    admin = client.get("/admin/speakup/concern/")
    assert admin.status_code in (302, 404)


def test_anonymous_visitors_are_sent_to_log_in_for_casework(people: dict[str, Any]) -> None:
    for url in (CONCERNS, f"{CONCERNS}1/", "/speak-up/mine/", "/speak-up/mine/1/"):
        response = _client().get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_the_guardians_casework_pages(people: dict[str, Any]) -> None:
    guardian = people["guardian"]
    raised = concern_raise(
        reporter=people["staff"],
        route=Route.CONFIDENTIAL,
        topic="racism",
        account=ACCOUNT,
        today=dt.date.today() - dt.timedelta(days=10),
    )
    anon = _anonymous(guardian, "Qzx-anon")
    client = _client(guardian)
    listing = client.get(CONCERNS)
    body = listing.content.decode()
    assert listing.status_code == 200
    assert f"{CONCERNS}{raised.concern.pk}/" in body
    assert f"{CONCERNS}{anon.concern.pk}/" in body
    overdue = client.get(CONCERNS + "?overdue=on").content.decode()
    assert f"{CONCERNS}{raised.concern.pk}/" in overdue
    assert f"{CONCERNS}{anon.concern.pk}/" not in overdue
    assert (
        f"{CONCERNS}{raised.concern.pk}/"
        not in client.get(CONCERNS + "?route=anonymous").content.decode()
    )
    pk = raised.concern.pk
    assert client.post(f"{CONCERNS}{pk}/acknowledge/").status_code == 302
    again = client.post(f"{CONCERNS}{pk}/acknowledge/")
    assert again.status_code == 409
    assert client.post(f"{CONCERNS}{pk}/reply/", {"body": ""}).status_code == 400
    assert (
        client.post(f"{CONCERNS}{pk}/reply/", {"body": "Qzx-signed", "signed": "on"}).status_code
        == 302
    )
    assert (
        client.post(
            f"{CONCERNS}{pk}/categorise/",
            {
                "racism": "on",
                "detriment": "on",
                "professional_group": "nursing",
                "ethnic_category": "M",
            },
        ).status_code
        == 302
    )
    assert client.post(f"{CONCERNS}{pk}/close/", {"feedback": "Qzx-feedback"}).status_code == 302
    assert client.get(f"{CONCERNS}{pk}/reply/").status_code == 405
    assert client.post(f"{CONCERNS}{pk}/refer/").status_code == 404
    concern = Concern.objects.get(pk=pk)
    assert concern.racism
    assert concern.detriment
    assert concern.closed_at is not None
    detail = client.get(f"{CONCERNS}{pk}/").content.decode()
    assert "Qzx-signed" in detail
    assert "Qzx-feedback" in detail
    # No way from a concern to a referral: no link into the case engine.
    main = detail[detail.index('id="main-content"') : detail.index("</main>")]
    assert not re.search(r'(href|action)="/(cases|api)/', main)
    assert "referral" not in main.lower()
    # The reporter reads the signed reply with the guardian's name.
    mine = _client(people["staff"]).get(f"/speak-up/mine/{pk}/").content.decode()
    assert "Qzx-signed" in mine
    assert "gwen.guardian" in mine


def test_a_referral_form_is_never_prefilled_from_a_concern(people: dict[str, Any]) -> None:
    raised = concern_raise(
        reporter=people["staff"], route=Route.OPEN, topic="racism", account=ACCOUNT
    )
    manager = make_user("maya.manager", Role.MANAGER, Role.FTSU_GUARDIAN)
    client = _client(manager)
    for query in (f"?concern={raised.concern.pk}", f"?summary={raised.concern.pk}", ""):
        page = client.get("/cases/new/" + query)
        assert page.status_code == 200
        assert ACCOUNT not in page.content.decode()


# --- nothing of a concern in the case engine -------------------------------------------


def _case_engine_urls(case_pk: int, notification_pk: int) -> list[str]:
    def walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    urls: list[str] = []
    for pattern in walk(get_resolver().url_patterns):
        if pattern.startswith(("speak-up/", "admin/", "oidc/", "accounts/", "metrics", "health/")):
            continue
        url = (
            pattern.replace("<int:pk>", str(case_pk))
            .replace("<slug:action>", "triage")
            .replace("<str:action>", "triage")
            .replace("<str:fmt>", "csv")
        )
        if "<" in url or "^" in url:
            continue
        urls.append("/" + url)
    urls.append(f"/notifications/{notification_pk}/read/")
    return sorted(set(urls))


def test_no_case_engine_page_shows_anything_of_a_concern(people: dict[str, Any]) -> None:
    guardian, staff, hr = people["guardian"], people["staff"], people["hr"]
    manager = make_user("maya.manager", Role.MANAGER)
    units = {
        u.kind: u for u in __import__("staff.models", fromlist=["OrgUnit"]).OrgUnit.objects.all()
    }
    employee = EmployeeFactory.create(org_unit=units["department"])
    case = referral_submit(actor=manager, **referral_kwargs(employee))
    case_triage(case_id=case.pk, actor=hr, route="informal")
    named = concern_raise(
        reporter=staff,
        route=Route.CONFIDENTIAL,
        topic="racism",
        account=ACCOUNT,
        org_unit_id=units["department"].pk,
    )
    concern_acknowledge(concern_id=named.concern.pk, actor=guardian)
    concern_reply(
        concern_id=named.concern.pk, actor=guardian, body="Qzx-guardian-reply", signed=True
    )
    _anonymous(guardian, "Qzx-anon-account")
    note = Notification.objects.filter(recipient=guardian).first()
    assert note is not None
    assert AuditEvent.objects.filter(action__startswith="concern_").exists()
    labels = [label for _, label in EVENT_TYPES]
    markers = [ACCOUNT, "Qzx-guardian-reply", "Qzx-anon-account", "Samira", "Stafford", *labels]
    urls = _case_engine_urls(case.pk, note.pk)
    assert "/cases/" in urls
    assert "/audit/" in urls
    assert "/api/v1/referrals/" in urls
    walked = 0
    for person in (guardian, hr):
        client = _client(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)
            raw = (
                b"".join(getattr(response, "streaming_content", []))
                if getattr(response, "streaming", False)
                else response.content
            )
            text = raw.decode("utf-8", "replace")
            for marker in markers:
                assert marker not in text, (person.username, url, marker)
            assert not re.search(r"/speak-up/concerns/\d", text), (person.username, url)
            walked += 1
    assert walked >= 2 * 20
