"""The side menu names each page once, for every role (issue 18: "Audit log"
and "Notifications" were listed twice, and "Reports" beside "Governance
pack", because viewflow's list of applications was shown under our menu)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from django.test import Client

from accounts.roles import Role
from regional.services import regional_viewer_grant

from ..factories import make_user

pytestmark = pytest.mark.django_db

_ENTRY = re.compile(r'<span class="mdc-list-item__content">\s*([^<]+?)\s*</span>')


def menu_entries(client: Client, user: Any, url: str = "/notifications/") -> list[str]:
    """The labels of the side menu's links, as ``user`` sees them on ``url``."""
    client.force_login(user)
    page = client.get(url)
    assert page.status_code == 200
    aside = page.content.decode().split("<aside", 1)[1].split("</aside>", 1)[0]
    # "Notifications (3 unread)" is the one Notifications entry.
    return [re.sub(r" \(\d+\+? unread\)$", "", label) for label in _ENTRY.findall(aside)]


def _once_each(entries: list[str]) -> None:
    repeated = {label: n for label, n in Counter(entries).items() if n > 1}
    assert repeated == {}, entries


ROLES = {
    "manager": ["Inbox", "My cases", "New referral", "Speak up", "My concerns", "Notifications"],
    "hr": [
        "Inbox",
        "Cases",
        "Panels",
        "Governance pack",
        "Early warning",
        "Self-assessment",
        "Action plans",
        "Audit log",
        "Subject access",
        "Retention",
        "Notifications",
    ],
    "panel_a": ["Inbox", "My cases", "My panels", "Notifications"],
    "director": ["Inbox", "Cases", "Governance pack", "Audit log", "Notifications"],
    "governance": ["Governance pack", "Early warning", "Self-assessment", "Notifications"],
}


@pytest.mark.parametrize("who", list(ROLES))
def test_each_roles_menu_names_each_page_once(client: Client, cast: Any, who: str) -> None:
    entries = menu_entries(client, getattr(cast, who))
    _once_each(entries)
    for label in ROLES[who]:
        assert entries.count(label) == 1, (label, entries)
    # viewflow's own application list is not shown beside ours.
    for app_title in ("Reports", "Fair Treatment Panel", "Self-assessment and actions"):
        assert app_title not in entries


def test_the_menu_is_the_same_on_every_apps_pages(client: Client, cast: Any) -> None:
    """The audit log's own pages do not add a second "Audit log"."""
    on_audit = menu_entries(client, cast.hr, "/audit/")
    _once_each(on_audit)
    assert on_audit == menu_entries(client, cast.hr, "/notifications/")


def test_a_guardian_sees_concerns_once(client: Client, cast: Any) -> None:
    guardian = make_user("gina.guardian", Role.FTSU_GUARDIAN)
    entries = menu_entries(client, guardian)
    _once_each(entries)
    assert entries.count("Concerns") == 1


def test_a_regional_viewer_has_the_benchmark_once_and_no_role_message(
    client: Client, cast: Any
) -> None:
    viewer = make_user("rhea.regional")
    regional_viewer_grant(user=viewer)
    client.force_login(viewer)
    page = client.get("/regional/")
    assert page.status_code == 200
    aside = page.content.decode().split("<aside", 1)[1].split("</aside>", 1)[0]
    entries = _ENTRY.findall(aside)
    _once_each(entries)
    assert entries.count("Regional benchmark") == 1
    assert "You have no role yet" not in aside


def test_only_a_regional_viewer_has_the_benchmark(client: Client, cast: Any) -> None:
    assert "Regional benchmark" not in menu_entries(client, cast.hr)
