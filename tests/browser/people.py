"""People at their browsers: each logs in through the login page, follows
links and submits forms as they would, and every page they land on is checked
with axe-core and can be photographed.

Pages change by Turbo navigation (no full load), so each step waits for the
page it expects: its main heading, with Turbo no longer busy.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from .axe import AxeLog, explain

PASSWORD = "pw-Cast-2026!"  # the shared cast's (tests/factories.py)
SITE = "Fair Treatment Panel"


# Whether the focused control's label starts with (or is) the name given, inside
# a fieldset whose legend starts with the group given (when one is).
FOCUSED_IS = """([name, group, exact]) => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const label = ((el.labels && el.labels.length) ? el.labels[0].textContent
                 : (el.textContent || el.value || "")).trim();
  if (exact ? label !== name : !label.startsWith(name)) return false;
  if (!group) return true;
  const legend = el.closest("fieldset")?.querySelector("legend");
  return !!legend && legend.textContent.trim().startsWith(group);
}"""


class Browsing:
    """The journeys' browser: a window (context) per person, the axe log and
    the screenshots folder."""

    def __init__(self, browser: Any, base_url: str, axe_log: AxeLog, artefacts: Path) -> None:
        self.browser = browser
        self.base_url = base_url
        self.axe_log = axe_log
        self.artefacts = artefacts
        self.people: list[Person] = []
        # Each new window's size: a laptop's, unless a journey runs at a phone's.
        self.viewport = {"width": 1280, "height": 900}

    def person(self, user: Any) -> Person:
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport=self.viewport,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.set_default_timeout(15_000)
        someone = Person(self, context.new_page(), user)
        self.people.append(someone)
        return someone

    def close(self) -> None:
        for someone in self.people:
            someone.page.context.close()


class Person:
    def __init__(self, browsing: Browsing, page: Any, user: Any) -> None:
        self.browsing = browsing
        self.page = page
        self.user = user
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    @property
    def username(self) -> str:
        """Their login; someone with none (the employee at their link) is "anonymous"."""
        return str(self.user.get_username()) if self.user is not None else "anonymous"

    # --- getting about -----------------------------------------------------

    def log_in(self, *, journey: str = "") -> Person:
        """Through the login page, by keyboard alone: tab to each field, type, press Enter."""
        self.page.goto("/accounts/login/")
        self.arrive("Log in", name=f"login ({self.username})")
        if journey:
            self.shot(journey, "00-login")
        self.page.get_by_label("Username").focus()
        self.page.keyboard.type(self.username)
        self.page.keyboard.press("Tab")
        self.page.keyboard.type(PASSWORD)
        self.page.keyboard.press("Enter")
        self.page.wait_for_url(lambda url: "/accounts/login" not in url)
        self.settle()
        return self

    def open(self, path: str, heading: str | re.Pattern[str], *, name: str = "") -> Person:
        """Type an address into the address bar."""
        self.page.goto(path)
        return self.arrive(heading, name=name or path)

    def follow(self, link: str | re.Pattern[str], heading: str | re.Pattern[str]) -> Person:
        """Click a link (in the page, not the menu) and land on the page it leads to."""
        self.main.get_by_role("link", name=link).first.click()
        return self.arrive(heading, name=str(link))

    def menu(self, item: str, heading: str | re.Pattern[str]) -> Person:
        """Choose an item in the side menu (opening it first on a narrow screen,
        where it is folded away behind the menu button)."""
        link = self.page.locator("aside").get_by_role("link", name=item, exact=True).first
        if not link.is_visible():
            self.page.get_by_role("button", name="Open navigation menu").click()
            expect(link).to_be_visible()
        link.click()
        return self.arrive(heading, name=f"menu: {item}")

    def submit(self, button: str, heading: str | re.Pattern[str]) -> Person:
        self.main.get_by_role("button", name=button, exact=True).click()
        return self.arrive(heading, name=f"after {button}")

    def arrive(self, heading: str | re.Pattern[str], *, name: str) -> Person:
        """Wait for the page whose main heading is ``heading``; check it is accessible
        and says where you are."""
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(heading)
        self.settle()
        self.check(name)
        return self

    def settle(self) -> None:
        self.page.wait_for_load_state()
        # Functions, not expressions: Playwright re-evaluates an expression on every
        # poll with eval, which the Content-Security-Policy forbids in the page.
        self.page.wait_for_function("() => !document.documentElement.hasAttribute('aria-busy')")
        # A message slides in (viewflow's snackbar): check its colours once it has.
        self.page.wait_for_function(
            "() => document.getAnimations().every(a => a.playState !== 'running')"
        )

    # --- by keyboard alone -------------------------------------------------------

    def tab_to(self, name: str, *, group: str = "", limit: int = 80) -> None:
        """Press Tab until the control labelled ``name`` (within the fieldset whose
        legend starts with ``group``) has focus: it can be reached by keyboard."""
        for _ in range(limit):
            if self.page.evaluate(FOCUSED_IS, [name, group, False]):
                return
            self.page.keyboard.press("Tab")
        focused = self.page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
        raise AssertionError(f"Tab never reached {name!r} {group!r} on {self.page.url}: {focused}")

    def choose(self, group: str, answer: str) -> None:
        """Tab into a group of radios, then arrow to ``answer`` and select it."""
        self.tab_to("", group=group)
        for _ in range(5):
            if self.page.evaluate(FOCUSED_IS, [answer, group, True]):
                break
            self.page.keyboard.press("ArrowRight")
        self.page.keyboard.press("Space")
        focused = self.page.evaluate("document.activeElement.checked")
        assert focused, (group, answer)
        assert self.page.evaluate(FOCUSED_IS, [answer, group, True]), (group, answer)

    # --- what is on the page ---------------------------------------------------

    @property
    def main(self) -> Any:
        return self.page.locator("main")

    def text(self) -> str:
        return str(self.main.inner_text())

    def check(self, name: str) -> None:
        """axe-core finds no serious or critical violation; the title says where
        you are (more than the site's name); no script failed; no template code shows."""
        blocking = self.browsing.axe_log.check(self.page, f"{self.username}: {name}")
        assert not blocking, f"{self.page.url} ({name}):\n{explain(blocking)}"
        title = self.page.title()
        assert title.endswith(SITE), f"{self.page.url} has title {title!r}"
        assert title != SITE, f"{self.page.url} has title {title!r}"
        assert not self.errors, f"script errors on {self.page.url}: {self.errors}"
        shown = self.page.locator("body").inner_text()
        assert "{%" not in shown, f"template code shown on {self.page.url}"
        assert "{#" not in shown, f"template code shown on {self.page.url}"

    def shot(self, journey: str, name: str) -> Path:
        path = self.browsing.artefacts / journey / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        return path
