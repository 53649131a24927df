"""The browser journeys' fixtures: one headless Chromium for the session, the
app served on loopback by pytest-django's live server, and a person per role
(each with a browser context of their own, as if on their own laptop).

The browser is Debian's ``chromium`` (``FTP_CHROMIUM``, default
``/usr/bin/chromium``); Playwright never downloads one. axe-core comes from
the npm registry (``npm ci``, which ``make test`` runs first). Either missing
fails the suite with what to do: a journey skipped in silence would report a
green run that checked nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from .axe import AxeLog
from .people import Browsing, Person

# The app is served on loopback only.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("FTP_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = Path(os.environ.get("FTP_BROWSER_ARTEFACTS", ROOT / "artefacts" / "browser"))
# The screenshots the docs show, as this run took them: copied into
# docs/screenshots/ by hand when a page changes (a test run never writes to
# the tracked tree).
DOC_SHOTS = ARTEFACTS / "docs-screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _require(path: Path, what: str) -> None:
    if not path.exists():
        pytest.fail(f"{what} not found at {path}.", pytrace=False)


@pytest.fixture(scope="session")
def artefacts() -> Path:
    """Where screenshots and the accessibility report go (``FTP_BROWSER_ARTEFACTS``)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS


@pytest.fixture(scope="session")
def axe_log(artefacts: Path) -> Iterator[AxeLog]:
    _require(AXE_JS, "axe-core (run `npm ci`, or `make test`, which runs it)")
    log = AxeLog(AXE_JS.read_text())
    yield log
    log.write(artefacts / "axe-report.json")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One browser for the journeys, stopped before any other module's tests run."""
    _require(CHROMIUM, "Chromium (install Debian's: `apt-get install -y chromium`)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio event loop in the test's thread, and
    # Django refuses ORM calls from a thread with a running loop. The journeys
    # seed and check data with the ORM between browser steps, never concurrently
    # with the loop's own work, so the guard is lifted while the browser runs.
    # With a loop running, Django also hands out new connection objects (asgiref
    # keeps them per context, not per thread): they need the database's
    # serialized contents that serialized_rollback restores between tests.
    serialized = {c.alias: getattr(c, "_test_serialized_contents", None) for c in connections.all()}
    with pytest.MonkeyPatch.context() as env, sync_playwright() as playwright:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, contents in serialized.items():
            if contents is not None:
                connections[alias]._test_serialized_contents = contents  # type: ignore[attr-defined]  # set by Django's test runner, not in the stubs
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
        )
        yield browser
        browser.close()
        connections.close_all()  # this context's; the test database is dropped at the end


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def browsing(
    request: pytest.FixtureRequest,
    chromium: Any,
    live_server: Any,
    axe_log: AxeLog,
    artefacts: Path,
) -> Iterator[Browsing]:
    """Opens a browser window for each person; closes them all at the end, after
    photographing what each one saw if the journey failed. Any
    Content-Security-Policy violation fails the journey."""
    session = CspWatchedBrowsing(chromium, live_server.url, axe_log, artefacts)
    yield session
    if request.node.stash.get(FAILED, False):
        for someone in session.people:
            someone.shot("failures", f"{request.node.name}-{someone.username}")
    session.close()
    # A violation after a journey's last checked page still fails it.
    violations = [e for someone in session.people for e in someone.errors if CSP in e]
    if violations and not request.node.stash.get(FAILED, False):
        pytest.fail(f"Content-Security-Policy violations: {violations}", pytrace=False)


# --- Content-Security-Policy --------------------------------------------------
# Chromium reports every blocked script, style, image, frame or eval to the
# console ("Refused to ... because it violates the following Content Security
# Policy directive: ..."). Each is recorded as a script error of the person who
# met it, so the journey fails at the page it happened on (Person.check).
CSP = "Content Security Policy"


class CspWatchedBrowsing(Browsing):
    """The journeys' browser, with every window watched for policy violations."""

    def person(self, user: Any) -> Person:
        someone = super().person(user)

        def on_console(message: Any) -> None:
            if CSP in message.text:
                someone.errors.append(f"{CSP} violation at {someone.page.url}: {message.text}")

        someone.page.on("console", on_console)
        return someone
