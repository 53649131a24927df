"""Every role's journey in a real browser: one referral, from the manager's
proposal to a commissioned formal investigation, then the audit of its path,
the governance view, and the refusals a curious person meets.

Each page a journey lands on is checked with axe-core (no serious or critical
violation) and must have a title that says where you are; key pages are
photographed into the artefacts folder (``FTP_BROWSER_ARTEFACTS``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from audit.models import AuditEvent
from panels.models import Panel
from workflow.models import Case, Stage

from ..factories import make_user
from ..workflow.conftest import story
from ..workflow.steps import Story
from .people import Browsing, Person

__all__ = ["story"]

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REFERENCE = re.compile(r"FTP-\d{4}-\d{5}")
DUE = re.compile(r"[Dd]ue \w* ?\d{1,2} [A-Z][a-z]+ \d{4}")  # e.g. "Due 3 Dec 2026"
SUMMARY = "Raised voice at a colleague during a busy handover, in front of a patient's family."
EMPLOYEE_ACCOUNT = "We were two nurses short and I had asked for help twice before handover."
INFORMAL_STEPS = "A quiet word after the shift."
INCIDENT = dt.date.today() - dt.timedelta(days=6)
# The guide's answers, step by step: no harm meant, no health issue, a workable
# protocol knowingly departed from, peers would not have, no mitigation: G.
ANSWERS = {
    "1a.": "No",
    "2a.": "No",
    "2b.": "No",
    "2c.": "No",
    "3a.": "Yes",
    "3b.": "Yes",
    "3c.": "Yes",
    "4a.": "No",
    "4b.": "No",
    "4c.": "No",
    "5a.": "No",
}


# The whole journey at a laptop's width and again at a phone's (390 px), with
# axe on every page at both: the "journeys run at a phone width too".
SCREENS = {"laptop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("screen", SCREENS, ids=list(SCREENS))
def test_a_referral_goes_from_proposal_to_formal_investigation(
    browsing: Browsing, cast: Any, employee: Any, screen: str
) -> None:
    browsing.viewport = SCREENS[screen]
    if screen != "laptop":
        browsing.artefacts = browsing.artefacts / screen  # its own screenshots
    manager = browsing.person(cast.manager).log_in(journey="1-manager")
    case = _manager_refers(manager, employee)
    hr = browsing.person(cast.hr).log_in()
    _hr_triages_to_informal_resolution(hr, case)
    _manager_records_that_informal_resolution_failed(manager, case)
    _hr_convenes_the_suggested_panel_and_watches_it(hr, case)
    _employee_gives_their_account_by_their_link(hr, browsing, case)
    panel = Panel.objects.get(case=case)
    members = [browsing.person(user).log_in() for user in cast.panel]
    for member in members:
        _member_declares_no_conflict_and_records_a_view(member, case)
    chair = next(m for m in members if m.user.pk == panel.chair_id)
    _chair_records_the_decision(chair, case)
    director = browsing.person(cast.director).log_in()
    _decision_maker_signs_off(director, case)
    _manager_sees_formal_investigation_commissioned(manager, case)
    _hr_sees_every_step_on_the_case_path(hr, case)
    _governance_sees_the_pack_but_not_the_case(browsing.person(cast.governance).log_in(), case)


def test_people_who_type_the_address_of_a_case_not_theirs_get_a_clear_page(
    browsing: Browsing, cast: Any, story: Story
) -> None:
    case = story.convened()  # through the services: the journeys above walk it in the browser
    other_manager = browsing.person(cast.other_manager)
    _a_mistyped_password_is_explained(other_manager)
    other_manager.log_in()
    for path in (f"/cases/{case.pk}/", f"/cases/{case.pk}/withdraw/", f"/cases/{case.pk}/path/"):
        _is_refused_without_a_leak(other_manager, path, case, "6-refusals", "other-manager")
    outsider_panel = browsing.person(make_user("nia.panel", Role.PANEL)).log_in()
    for path in (f"/cases/{case.pk}/", f"/cases/{case.pk}/declare/"):
        _is_refused_without_a_leak(outsider_panel, path, case, "6-refusals", "panel-not-on-it")
    # Their own lists do not mention it either.
    other_manager.menu("My cases", "My cases")
    expect(other_manager.main).to_contain_text("You have not referred anyone yet.")
    assert case.reference not in other_manager.text()
    outsider_panel.menu("My panels", "My panels")
    assert case.reference not in outsider_panel.text()
    outsider_panel.shot("6-refusals", "panel-member-my-panels-empty")
    # Someone with a role but not this one is told which rule refused them.
    other_manager.open("/cases/panels/", "You cannot do this", name="panels, refused")
    expect(other_manager.main.get_by_test_id("refusal")).to_have_text(
        "Only HR advisers see every panel."
    )
    other_manager.shot("6-refusals", "manager-panels-refused")
    # An old link to an action that is no longer open explains itself.
    hr = browsing.person(cast.hr).log_in()
    hr.open(f"/cases/{case.pk}/triage/", "Triage", name="triage, no longer open")
    expect(hr.main.get_by_test_id("notice")).to_have_text(
        "You cannot take this action on this case now."
    )
    hr.shot("6-refusals", "hr-triage-no-longer-open")
    hr.open("/cases/new/", "Propose a referral", name="new referral, not a manager")
    expect(hr.main.get_by_test_id("notice")).to_have_text(
        "Only a referring manager can submit a referral."
    )


def _a_mistyped_password_is_explained(person: Person) -> None:
    person.open("/accounts/login/", "Log in", name="login")
    person.page.get_by_label("Username").fill(person.username)
    person.page.get_by_label("Password").fill("not-the-password")
    person.submit("Log in", "Log in")
    summary = person.main.get_by_test_id("error-summary")
    expect(summary).to_contain_text("Please enter a correct username and password")
    expect(summary).to_be_focused()
    person.shot("6-refusals", "login-mistyped-password")


# --- journey 1: the referring manager ------------------------------------------


def _manager_refers(manager: Person, employee: Any) -> Case:
    """The manager proposes a referral: first without filling it in, to meet the
    error summary; then by keyboard alone, answering the guide step by step."""
    page = manager.page
    expect(manager.main).to_contain_text("Nothing is waiting for you")
    page.keyboard.press("Tab")  # the first stop on every page skips the menu
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    manager.shot("1-manager", "01-inbox-empty")
    manager.menu("New referral", "Propose a referral")
    for step in range(1, 6):
        expect(manager.main.get_by_role("group", name=f"Step {step}:")).to_be_visible()
    expect(manager.main).to_contain_text("If yes, the guide advises A.")
    expect(manager.main).to_contain_text("take senior HR advice")
    manager.shot("1-manager", "02-referral-form")

    manager.submit("Submit referral", "Propose a referral")
    summary = manager.main.get_by_test_id("error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()
    staff_number = page.get_by_label("Employee's staff number")
    expect(staff_number).to_have_attribute("aria-invalid", "true")
    error_id = f"{staff_number.get_attribute('id')}_error"
    assert error_id in (staff_number.get_attribute("aria-describedby") or "").split()
    expect(page.locator(f"#{error_id}")).to_contain_text("Enter the employee's staff number")
    manager.shot("1-manager", "03-referral-errors")
    summary.get_by_role("link", name=re.compile("staff number")).click()
    expect(staff_number).to_be_focused()

    _fill_referral_by_keyboard(manager, employee)
    manager.arrive(REFERENCE, name="case page after submitting")
    reference = manager.main.get_by_role("heading", level=1).inner_text().strip()
    expect(_current_stage(manager)).to_contain_text("Submitted")
    expect(manager.main.locator("header, .vf-card__header").first).to_contain_text(DUE)
    expect(manager.main.get_by_test_id("just-culture-outcome")).to_contain_text("Advice G")
    manager.shot("1-manager", "04-case-submitted")

    manager.menu("My cases", "My cases")
    expect(manager.main.get_by_role("link", name=reference)).to_be_visible()
    manager.shot("1-manager", "05-my-cases")
    return Case.objects.get(reference=reference)


def _fill_referral_by_keyboard(manager: Person, employee: Any) -> None:
    keyboard = manager.page.keyboard
    keyboard.type(employee.staff_number)  # the error summary's link left focus here
    manager.tab_to("What kind of concern is it?")  # "Conduct or behaviour" is first
    manager.tab_to("When did it happen?")
    keyboard.type(INCIDENT.strftime("%d/%m/%Y"))
    manager.tab_to("What happened?")
    keyboard.type(SUMMARY)
    manager.tab_to("What have you already tried informally?")
    keyboard.type(INFORMAL_STEPS)
    for question, answer in ANSWERS.items():
        manager.choose(question, answer)
    manager.tab_to("Submit referral")
    keyboard.press("Enter")


def _manager_records_that_informal_resolution_failed(manager: Person, case: Case) -> None:
    manager.menu("Inbox", "Your inbox")
    manager.follow(case.reference, case.reference)
    expect(_current_stage(manager)).to_contain_text("Informal resolution")
    manager.follow("Record informal outcome", "Record informal outcome")
    page = manager.page
    page.get_by_role("group", name="Was the concern resolved informally?").get_by_label(
        "No"
    ).check()
    page.get_by_label("What was done informally?").fill(
        "Facilitated conversation with the colleague; agreed a handover checklist."
    )
    page.get_by_label("If it was not resolved: why not?").fill(
        "The behaviour was repeated on the next two shifts."
    )
    manager.shot("1-manager", "06-informal-outcome-form")
    manager.submit("Record informal outcome", case.reference)
    expect(_current_stage(manager)).to_contain_text("Fair Treatment Panel")
    manager.shot("1-manager", "07-informal-resolution-failed")


def _manager_sees_formal_investigation_commissioned(manager: Person, case: Case) -> None:
    manager.menu("My cases", "My cases")
    expect(manager.main.get_by_role("row", name=re.compile(case.reference))).to_contain_text(
        "Formal investigation"
    )
    manager.follow(case.reference, case.reference)
    expect(_current_stage(manager)).to_contain_text("Formal investigation")
    expect(manager.main.get_by_test_id("view")).to_have_count(0)  # members' views stay private
    manager.shot("1-manager", "08-formal-investigation-commissioned")


# --- journey 2: the HR adviser --------------------------------------------------


def _hr_triages_to_informal_resolution(hr: Person, case: Case) -> None:
    hr.menu("Inbox", "Your inbox")
    expect(hr.main.get_by_role("row", name=re.compile(case.reference))).to_contain_text("Triage")
    hr.shot("2-hr", "01-inbox")
    hr.follow(case.reference, case.reference)
    hr.follow("Triage", "Triage")
    expect(hr.page.get_by_role("radio", name="Informal resolution")).to_be_checked()
    hr.shot("2-hr", "02-triage")
    hr.submit("Triage", case.reference)
    expect(_current_stage(hr)).to_contain_text("Informal resolution")


def _hr_convenes_the_suggested_panel_and_watches_it(hr: Person, case: Case) -> None:
    hr.menu("Panels", "Panels")
    waiting = hr.main.get_by_test_id("section-convene")
    expect(waiting).to_contain_text(case.reference)
    waiting.get_by_role("link", name=re.compile("Suggest")).click()
    hr.arrive("Suggested panel", name="suggested panel")
    expect(hr.main.get_by_test_id("suggested")).to_be_visible()
    hr.shot("2-hr", "03-suggested-panel")
    hr.follow("Convene with these", "Convene panel")
    suggested = hr.page.get_by_role("group", name="Panel members").get_by_role("checkbox")
    expect(suggested).to_have_count(3)
    for box in suggested.all():
        expect(box).to_be_checked()
    hr.shot("2-hr", "04-convene")
    hr.submit("Convene panel", case.reference)
    expect(hr.main.get_by_test_id("panel")).to_contain_text("yet to declare")
    hr.menu("Panels", "Panels")
    expect(hr.main.get_by_test_id("section-convene")).not_to_contain_text(case.reference)
    expect(hr.main).to_contain_text(case.reference)
    hr.shot("2-hr", "05-panels-queue")


def _employee_gives_their_account_by_their_link(hr: Person, browsing: Browsing, case: Case) -> None:
    """HR sends the employee a single-use link (shown once: the employee has no
    email on record); the employee opens it without logging in, sends their
    account, and the link then no longer works (voice/, ADR 0027)."""
    hr.open(f"/cases/{case.pk}/", case.reference, name="case page")
    hr.follow("Send the employee a link for their account", "Send the employee a link")
    hr.submit("Send the employee a link for their account", "The employee's link")
    link = hr.main.get_by_test_id("account-link").inner_text().strip()
    path = "/account/" + link.split("/account/", 1)[1]
    hr.shot("2-hr", "06-account-link")
    employee = browsing.person(None)
    employee.open(path, "Your account", name="employee's account page")
    expect(employee.main).to_contain_text(SUMMARY)
    employee.page.get_by_label("Your account").fill(EMPLOYEE_ACCOUNT)
    employee.shot("2-hr", "07-employee-account-page")
    employee.submit("Send my account", "your account was received")
    employee.open(path, "This link no longer works", name="used link")
    # A link left unused past its days no longer works either.
    hr.open(f"/cases/{case.pk}/", case.reference, name="case page")
    hr.follow("Send the employee a link for their account", "Send the employee a link")
    hr.submit("Send the employee a link for their account", "The employee's link")
    late = hr.main.get_by_test_id("account-link").inner_text().strip()
    late_path = "/account/" + late.split("/account/", 1)[1]
    days = settings.FTP_ACCOUNT_LINK_DAYS + 1
    with time_machine.travel(timezone.now() + dt.timedelta(days=days), tick=True):
        employee.open(late_path, "This link no longer works", name="expired link")


# --- journey 3: the panel ---------------------------------------------------------


def _member_declares_no_conflict_and_records_a_view(member: Person, case: Case) -> None:
    member.menu("My panels", "My panels")
    member.follow(case.reference, case.reference)
    restricted = member.main.get_by_test_id("restricted")
    expect(restricted).to_contain_text("declare whether you have a conflict of interest")
    expect(member.main).not_to_contain_text(SUMMARY)  # nothing of the concern before declaring
    member.shot("3-panel", f"{member.username}-01-before-declaring")
    member.follow("Declare any conflict of interest", "Declare any conflict of interest")
    member.page.get_by_label("No: I have no conflict of interest").check()
    member.submit("Declare any conflict of interest", case.reference)
    expect(member.main).to_contain_text(SUMMARY)
    member.follow("Record your view", "Record your view")
    member.page.get_by_role("group", name="Your view of the outcome").get_by_label(
        "Formal investigation"
    ).check()
    member.page.get_by_label("Comment").fill(
        "A repeated pattern after informal steps; it needs a proper investigation."
    )
    member.submit("Record your view", case.reference)
    member.shot("3-panel", f"{member.username}-02-view-recorded")


def _chair_records_the_decision(chair: Person, case: Case) -> None:
    chair.menu("My panels", "My panels")
    expect(chair.main.get_by_role("row", name=re.compile(case.reference))).to_contain_text("Chair")
    chair.follow(case.reference, case.reference)
    chair.follow("Record panel decision", "Record panel decision")
    # The employee's own account is in front of the chair as they decide.
    expect(chair.main.get_by_test_id("employee-account")).to_contain_text(EMPLOYEE_ACCOUNT)
    page = chair.page
    page.get_by_role("group", name="The panel's decision").get_by_label(
        "Formal investigation"
    ).check()
    page.get_by_label("Rationale").fill(
        "Repeated behaviour after a facilitated conversation; the guide advises graduated "
        "action and the panel agrees a formal investigation is proportionate."
    )
    chair.shot("3-panel", "chair-03-decision")
    chair.submit("Record panel decision", case.reference)
    expect(_current_stage(chair)).to_contain_text("Awaiting sign-off")


# --- journey 4: the decision-maker --------------------------------------------------


def _decision_maker_signs_off(director: Person, case: Case) -> None:
    expect(director.main.get_by_role("row", name=re.compile(case.reference))).to_be_visible()
    director.follow(case.reference, case.reference)
    expect(director.main).to_contain_text("Repeated behaviour after a facilitated conversation")
    director.follow("Sign off", "Sign off")
    director.page.get_by_label("Approve").check()
    director.page.get_by_label("Reason", exact=True).fill(
        "The pattern after informal steps needs the facts established formally."
    )
    director.shot("4-decision-maker", "01-sign-off")
    director.submit("Sign off", case.reference)
    expect(_current_stage(director)).to_contain_text("Formal investigation")
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL
    director.shot("4-decision-maker", "02-formal-investigation-commissioned")


# --- journey 5: HR's audit, and governance -------------------------------------------


def _hr_sees_every_step_on_the_case_path(hr: Person, case: Case) -> None:
    hr.menu("Inbox", "Your inbox")
    hr.open(f"/cases/{case.pk}/", case.reference, name="case page")
    hr.follow("Every event, time in each stage", f"Path of {case.reference}")
    timeline = hr.main.get_by_test_id("timeline")
    path = list(AuditEvent.objects.path().filter(case=case).order_by("seq"))
    assert [e.action for e in path] == [
        "submit",
        "triage",
        "record_informal_outcome",
        "suggest_panel",
        "convene_panel",
        "issue_account_link",
        "account_received_by_link",
        "issue_account_link",  # a second link, left to expire
        *["declare", "record_view"] * 3,
        "decide",
        "signoff",
    ]
    for event in path:
        expect(timeline.get_by_role("row").filter(has_text=event.type_label).first).to_be_visible()
    expect(timeline).to_contain_text("Repeated behaviour after a facilitated conversation")
    hr.shot("5-audit", "hr-case-path")
    hr.menu("Audit log", "Audit log")
    expect(hr.main.get_by_test_id("events")).to_contain_text(case.reference)


def _governance_sees_the_pack_but_not_the_case(governance: Person, case: Case) -> None:
    governance.open("/reports/governance/", "Governance pack", name="governance pack")
    assert case.reference not in governance.text()
    governance.shot("5-audit", "governance-pack")
    _is_refused_without_a_leak(governance, f"/cases/{case.pk}/", case, "5-audit", "governance")


# --- shared -----------------------------------------------------------------------


def _current_stage(person: Person) -> Any:
    return person.main.get_by_test_id("stage-indicator").locator("[aria-current=step]")


def _is_refused_without_a_leak(
    person: Person, path: str, case: Case, journey: str, who: str
) -> None:
    response = person.page.goto(path)
    assert response is not None, path
    assert response.status in (403, 404), (path, response)
    person.arrive(re.compile("Page not found|You cannot do this"), name=f"refused: {path}")
    body = person.page.content()
    for secret in (case.reference, case.employee_name, case.summary):
        assert secret not in body, f"{path} shows {secret!r} to {person.username}"
    person.shot(journey, f"{who}-{path.strip('/').replace('/', '-')}")
