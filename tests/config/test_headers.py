"""Every response carries the security headers, in every environment: a page, the
API and the admin alike; and no template of ours needs an inline script."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
# Every app's templates folder (web/ holds the pages; api/, accounts/ and
# notifications/ a few of their own), found rather than listed, so a folder
# added or moved is walked too.
PROJECT_TEMPLATE_FOLDERS = sorted(
    folder for folder in ROOT.glob("*/templates") if (folder.parent / "__init__.py").exists()
)

pytestmark = pytest.mark.django_db


def policy_of(response: Any) -> dict[str, list[str]]:
    """The Content-Security-Policy header as directive -> sources."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_secure_headers(response: Any) -> None:
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


class Scripts(HTMLParser):
    """Collects inline scripts (apart from those carrying a nonce), inline event
    handlers and ``javascript:`` addresses: what the policy would block."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.nonced: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        where = f"<{tag}> at line {self.getpos()[0]}"
        if tag == "script" and not names.get("src"):
            (self.nonced if names.get("nonce") else self.inline).append(where)
        for name, value in attrs:
            if name.startswith("on"):
                self.inline.append(f"{name}= on {where}")
            if value and value.strip().lower().startswith("javascript:"):
                self.inline.append(f"{name}=javascript: on {where}")


def scripts_in(html: str) -> Scripts:
    parser = Scripts()
    parser.feed(html)
    return parser


def inline_scripts(html: str) -> list[str]:
    """Every inline script of ``html``, nonced or not."""
    found = scripts_in(html)
    return found.inline + found.nonced


def test_a_page_is_sent_with_the_content_security_policy_and_security_headers(
    client: Client,
) -> None:
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert_secure_headers(response)
    assert inline_scripts(response.content.decode()) == []


def test_a_form_with_errors_focuses_its_summary_without_an_inline_script(client: Client) -> None:
    response = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})

    html = response.content.decode()
    assert 'data-testid="error-summary"' in html
    assert inline_scripts(html) == []
    assert re.search(r'<script src="/static/workflow/js/error_summary\.js"', html)
    assert_secure_headers(response)


def test_the_api_is_sent_with_the_same_headers(client: Client, cast: Any) -> None:
    anonymous = client.get("/api/v1/referrals/")
    client.force_login(cast.hr)
    signed_in = client.get("/api/v1/referrals/")

    assert anonymous.status_code in (401, 403)
    assert signed_in.status_code == 200
    assert_secure_headers(anonymous)
    assert_secure_headers(signed_in)


def test_the_admin_works_under_the_policy(admin_client: Client) -> None:
    for path in ("/admin/", "/admin/staff/employee/", "/admin/staff/employee/add/"):
        response = admin_client.get(path)

        assert response.status_code == 200, path
        assert_secure_headers(response)
        assert inline_scripts(response.content.decode()) == [], path


def test_the_api_docs_page_runs_its_one_inline_script_by_nonce_only(client: Client) -> None:
    response = client.get("/api/docs/")

    assert response.status_code == 200
    policy = policy_of(response)
    nonces = [s for s in policy["script-src"] if s.startswith("'nonce-")]
    assert policy["script-src"] == ["'self'", *nonces]
    assert len(nonces) == 1
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\ssrc=)([^>]*)>", html)
    assert inline == [f' nonce="{nonce}"']
    # A fresh nonce on every response: one seen cannot be replayed.
    assert nonce not in client.get("/api/docs/").headers["Content-Security-Policy"]


def test_no_template_of_ours_has_an_inline_script_or_event_handler() -> None:
    templates = [
        path for folder in PROJECT_TEMPLATE_FOLDERS for path in sorted(folder.rglob("*.html"))
    ]
    assert len(templates) > 20  # the walk found the project's templates
    found = {path.relative_to(ROOT).as_posix(): scripts_in(path.read_text()) for path in templates}

    assert {name: f.inline for name, f in found.items() if f.inline} == {}
    # The one exception: the API docs page runs drf-spectacular's start-up script
    # under the response's nonce.
    assert {name: len(f.nonced) for name, f in found.items() if f.nonced} == {
        "api/templates/api/swagger_ui.html": 1
    }
    assert (
        'nonce="{{ request.csp_nonce }}"'
        in (ROOT / "api/templates/api/swagger_ui.html").read_text()
    )
