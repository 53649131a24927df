"""The Content-Security-Policy in a real browser: what the journeys do not walk
(the admin, the API docs page) runs under it, and a violation is caught."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from ..factories import make_user
from .conftest import CSP
from .people import Browsing

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_admin_runs_its_scripts_under_the_policy(browsing: Browsing) -> None:
    root = make_user("ada.admin")
    root.is_staff = root.is_superuser = True
    root.save()
    ada = browsing.person(root).log_in()

    ada.page.goto("/admin/")
    expect(ada.page.locator("#content h1")).to_have_text("Site administration")
    for path, heading in (
        ("/admin/staff/employee/", "Select employee to change"),
        ("/admin/staff/employee/add/", "Add employee"),
    ):
        ada.page.goto(path)
        expect(ada.page.locator("#content h1")).to_have_text(heading)
        ada.page.wait_for_load_state("load")
        # The admin's own scripts ran: jQuery is set up under django.jQuery.
        assert ada.page.evaluate("typeof django !== 'undefined' && !!django.jQuery"), path

    assert ada.errors == []


def test_the_api_docs_page_runs_under_the_policy(browsing: Browsing, cast: Any) -> None:
    hana = browsing.person(cast.hr).log_in()

    hana.page.goto("/api/docs/")

    # Swagger UI started (its nonced script) and fetched the schema (connect-src).
    expect(hana.page.locator(".swagger-ui .info .title")).to_contain_text(
        "Fair Treatment Panel API"
    )
    expect(hana.page.locator(".opblock").first).to_be_visible()
    assert hana.errors == []


def test_an_injected_inline_script_is_refused_and_fails_the_journey(
    browsing: Browsing, cast: Any
) -> None:
    maya = browsing.person(cast.manager).log_in()
    inject = """() => {
      const s = document.createElement("script");
      s.textContent = "window.injected = true";
      document.body.append(s);
    }"""

    with maya.page.expect_console_message(lambda m: CSP in m.text):
        maya.page.evaluate(inject)

    assert maya.page.evaluate("window.injected === undefined")
    assert any(CSP in error for error in maya.errors)
    with pytest.raises(AssertionError, match=CSP):
        maya.check("after an injected script")
    maya.errors.clear()  # seen and expected: the fixture would fail the test otherwise
