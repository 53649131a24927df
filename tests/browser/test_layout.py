"""Every main page fits the screen, from a 360 px phone to a 1920 px monitor.

Each page is opened once per role that uses it, at phone width, and checked
with axe-core there (``Person.arrive``); the same window is then resized to
each width and measured: the page never scrolls sideways (a wide table
scrolls inside its own box instead, or reflows into stacked rows on a
phone), and at phone width no table heading is cut short to an ellipsis.
Screenshots of the pages named in docs/accessibility.md go to
``DOC_SHOTS`` (copied to ``docs/screenshots/``); every page's, at every width,
to the artefacts folder.
One browser, one window per person: each page at each width, not each journey.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reports.importers import headcount_import, history_import
from workflow.models import Case

from ..reports.conftest import HEAD, HIST, csv_text
from ..workflow.conftest import story
from ..workflow.steps import Story
from .conftest import DOC_SHOTS
from .people import Browsing, Person

__all__ = ["story"]

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE, SMALL_PHONE, LAPTOP, MONITOR = 390, 360, 1280, 1920
WIDTHS = (PHONE, SMALL_PHONE, LAPTOP, MONITOR)
SCREENSHOTS = DOC_SHOTS
# The pages whose screenshots the docs show, at the widths they show them.
DOCUMENTED = {
    ("case-list", PHONE): "case-list-phone.png",
    ("inbox", PHONE): "inbox-phone.png",
    ("governance-pack", LAPTOP): "governance-pack-1280.png",
}
DOCUMENTED_HEIGHT = 1400

# How wide the page is, and what is wider than the window, widest first (for
# the failure message; a scroll box itself counts, not what scrolls inside
# it): the document's scroll width is what a sideways scroll bar would show.
MEASURE = """() => {
  const doc = document.scrollingElement;
  const vw = window.innerWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > vw + 1)
    .filter(el => !el.parentElement.closest('.ftp-table-scroll, .ftp-scroll'))
    .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined
      ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '')
      + ' right=' + Math.round(el.getBoundingClientRect().right));
  return {width: doc.scrollWidth, viewport: vw, wide};
}"""

# Visible table headings whose text is cut short with an ellipsis.
TRUNCATED = """() => [...document.querySelectorAll('main th')]
  .filter(th => th.getClientRects().length && th.offsetWidth > 1)
  .filter(th => getComputedStyle(th).textOverflow === 'ellipsis'
                && th.scrollWidth > th.clientWidth + 1)
  .map(th => th.textContent.trim())"""

# Fonts whose characters are wide (a CJK or monospace fallback on a machine
# without the usual fonts) widen every text field, whose width is a number of
# average characters: a page must fit a phone even then.
WIDE_FIELDS = """() => {
  const style = document.createElement('style');
  style.id = 'ftp-wide-fields';
  style.textContent = 'main input, main select, main textarea '
    + '{ font-family: monospace !important; font-size: 2rem !important; }';
  document.head.append(style);
}"""
NORMAL_FIELDS = "() => document.getElementById('ftp-wide-fields').remove()"

# Two frames on: whatever the resize set going has been laid out and painted.
NEXT_FRAME = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"

# A table cell, stacked on a phone, names its column (``data-label``).
UNLABELLED = """() => [...document.querySelectorAll('main table.ftp-reflow td')]
  .filter(td => td.getClientRects().length && !td.hasAttribute('colspan'))
  .filter(td => !td.dataset.label)
  .length"""


def _seed_pack_figures() -> None:
    """Two WRES years of headcounts and entries, so the pack's two-year rows
    show a mean per year (e.g. 14.5) and its charts have bars to draw."""
    last = 2025  # the default year on the test's today (1 Dec 2026) is 2025/26
    heads, history = [], []
    for year in (last - 1, last):
        for unit, category, n in (
            ("DEP-ED", "A", 900),
            ("DEP-ED", "N", 300),
            ("DEP-THE", "A", 800),
            ("DEP-THE", "H", 350),
            ("DEP-AMU", "B", 200),
        ):
            heads.append(f"{year + 1}-03-31,{unit},{category},{n}")
    for year, entries in ((last - 1, (14, 6, 9, 5)), (last, (15, 7, 11, 4))):
        for (unit, category), n in zip(
            (("DEP-ED", "A"), ("DEP-ED", "N"), ("DEP-THE", "A"), ("DEP-THE", "H")),
            entries,
            strict=True,
        ):
            history.append(f"{year}-10-01,{unit},{category},{n}")
    headcount_import(text=csv_text(HEAD, *heads))
    history_import(text=csv_text(HIST, *history))


def _pages(case: Case) -> list[tuple[str, str, str, str | re.Pattern[str]]]:
    """(who, name, path, heading) for every main page, as the role that uses it."""
    return [
        ("manager", "manager-inbox", "/cases/inbox/", "Your inbox"),
        ("manager", "my-cases", "/cases/all/", "My cases"),
        ("manager", "referral-form", "/cases/new/", "Propose a referral"),
        ("hr", "inbox", "/cases/inbox/", "Your inbox"),
        ("hr", "case-list", "/cases/all/", re.compile("cases", re.I)),
        ("hr", "case", f"/cases/{case.pk}/", case.reference),
        ("hr", "case-path", f"/cases/{case.pk}/path/", f"Path of {case.reference}"),
        ("hr", "panels", "/cases/panels/", "Panels"),
        ("hr", "audit-log", "/audit/", "Audit log"),
        ("hr", "retention", "/audit/retention/", "due for destruction"),
        ("hr", "notifications", "/notifications/", "Notifications"),
        ("hr", "early-warning", "/reports/early-warning/", "Early warning"),
        ("governance", "governance-pack", "/reports/governance/", "Governance pack"),
        ("governance", "early-warning-governance", "/reports/early-warning/", "Early warning"),
        ("panel", "my-panels", "/cases/my-panels/", "My panels"),
    ]


def test_every_main_page_fits_every_width_from_phone_to_monitor(
    browsing: Browsing, cast: Any, story: Story
) -> None:
    _seed_pack_figures()
    case = story.convened()  # in HR's lists, on a panel, with a path to show
    story.submitted()  # and one waiting for triage, in HR's inbox
    people = {
        "manager": browsing.person(cast.manager),
        "hr": browsing.person(cast.hr),
        "governance": browsing.person(cast.governance),
        "panel": browsing.person(cast.panel_a),
    }
    for someone in people.values():
        someone.page.set_viewport_size({"width": PHONE, "height": 800})
        someone.log_in()

    problems: list[str] = []
    widths: dict[str, dict[int, int]] = {}
    for who, name, path, heading in _pages(case):
        someone = people[who]
        # The last page this person measured left the window at monitor width.
        someone.page.set_viewport_size({"width": PHONE, "height": 900})
        someone.open(path, heading, name=f"{name} at {PHONE} px")  # axe, at phone width
        widths[name] = _measure_every_width(someone, name, problems)
    report = "\n".join(f"{name}: {w}" for name, w in widths.items())
    (browsing.artefacts / "layout-widths.txt").write_text(report + "\n")
    assert not problems, "\n".join(problems)


def _measure_every_width(someone: Person, name: str, problems: list[str]) -> dict[int, int]:
    page = someone.page
    measured: dict[int, int] = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_function("w => window.innerWidth === w", arg=width)
        # What a person sees once the page has reflowed: the side menu slides
        # between docked and folded away as the width crosses its breakpoint,
        # and a measure taken while it slides finds the page shifted sideways.
        someone.settle()
        page.evaluate(NEXT_FRAME)
        found = page.evaluate(MEASURE)
        measured[width] = found["width"]
        if found["width"] > found["viewport"]:
            problems.append(
                f"{name} at {width} px is {found['width']} px wide; too wide: {found['wide']}"
            )
        if width <= PHONE:
            cut = page.evaluate(TRUNCATED)
            if cut:
                problems.append(f"{name} at {width} px cuts headings short: {cut}")
            unlabelled = page.evaluate(UNLABELLED)
            if unlabelled:
                problems.append(f"{name} at {width} px: {unlabelled} stacked cells name no column")
        if width == SMALL_PHONE:
            page.evaluate(WIDE_FIELDS)
            wide = page.evaluate(MEASURE)
            page.evaluate(NORMAL_FIELDS)
            if wide["width"] > wide["viewport"]:
                problems.append(
                    f"{name} at {width} px with wide-font fields is {wide['width']} px wide;"
                    f" too wide: {wide['wide']}"
                )
        someone.shot("layout", f"{name}-{width}")
        if (name, width) in DOCUMENTED:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            # The top of the page (its first tables): the whole pack is ~8,000 px tall.
            tall = page.evaluate("() => document.scrollingElement.scrollHeight")
            top = {"x": 0, "y": 0, "width": width, "height": min(tall, DOCUMENTED_HEIGHT)}
            page.screenshot(
                path=str(SCREENSHOTS / DOCUMENTED[name, width]), full_page=True, clip=top
            )
    return measured


def test_the_governance_pack_explains_its_means_and_its_empty_funnel(
    browsing: Browsing, cast: Any, story: Story
) -> None:
    _seed_pack_figures()
    story.submitted()  # one referral: every funnel count is below the threshold
    governance = browsing.person(cast.governance).log_in()
    governance.page.set_viewport_size({"width": LAPTOP, "height": 900})
    year = timezone.localdate().year
    governance.open(
        f"/reports/governance/?window=2&start={year}-01-01&end={year}-12-31",
        "Governance pack",
        name="pack, 2-year",
    )

    expect(governance.main.get_by_test_id("funnel-suppressed")).to_contain_text(
        "below the suppression threshold"
    )
    means = governance.main.locator("#icsu").locator("xpath=following::table[1]")
    expect(means).to_contain_text(re.compile(r"\d+(\.5)?\s*a year \(two\u2011year mean\)"))
    # The confidence interval's column is on screen, not cut off at the right.
    ci = governance.main.get_by_role("columnheader", name="95% CI").first
    box = ci.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= LAPTOP, box
    assert governance.page.evaluate(MEASURE)["width"] <= LAPTOP
    # Nor is it hidden inside its table's box: at 1280 px no indicator table scrolls.
    scrolling = governance.page.evaluate(
        """() => [...document.querySelectorAll('main .ftp-scroll')]
             .filter(box => box.scrollWidth > box.clientWidth + 1)
             .map(box => box.querySelector('caption')?.textContent)"""
    )
    assert scrolling == [], scrolling
