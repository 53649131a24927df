"""Every service of the product writes exactly one audit event, with who,
when, which case, what, the stages before and after, and why.

The services are discovered, not listed: ``workflow.services.__all__`` and
the public functions of ``panels.services``. A new service without a
scenario here fails ``test_every_service_has_a_scenario`` until one is added.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from django.utils import timezone

import panels.services
import workflow.services
from audit.models import AuditEvent
from audit.verify import verify_log
from workflow.models import Case

from ..factories import in_pool, make_user, other_units, referral_kwargs
from ..workflow.steps import PANEL_REASON, RATIONALE, RESUBMIT_NOTE, Story

pytestmark = pytest.mark.django_db


def public_services(module: ModuleType) -> list[str]:
    """``__all__`` where the module declares it, else the public functions
    defined in it (or, for a package, in its submodules)."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            name
            for name, fn in inspect.getmembers(module, inspect.isfunction)
            if fn.__module__.startswith(module.__name__) and not name.startswith("_")
        ]
    return [f"{module.__name__}.{name}" for name in names]


def discovered_services() -> list[str]:
    return sorted(public_services(workflow.services) + public_services(panels.services))


@dataclass(frozen=True)
class Scenario:
    """Bring a case to where the service applies, call it, and what to expect."""

    prepare: Callable[[Story], Case | None]
    call: Callable[[Story, Case | None], Any]
    actor: str  # the cast member who acts
    action: str  # the event type recorded
    stages: tuple[str, str]  # from, to
    why: str  # "reason" or "payload": what must not be empty


def _id(case: Case | None) -> int:
    assert case is not None
    return case.pk


VIEW_COMMENT = "Proportionate to try mediation first."


def _declared(s: Story) -> Case:
    """Convened, and panel_b has declared no conflict."""
    case = s.just_convened()
    return panels.services.panel_declare(case_id=case.pk, actor=s.cast.panel_b, no_conflict=True)


def _seat_empty(s: Story) -> Case:
    """Convened, and panel_b has stood down with a conflict."""
    case = s.just_convened()
    return panels.services.panel_declare(
        case_id=case.pk, actor=s.cast.panel_b, no_conflict=False, reason="I manage her sister."
    )


def _replacement(s: Story) -> Any:
    from accounts.roles import Role

    person = make_user("rhea.replacement", Role.PANEL)
    in_pool(person, unit=other_units()["other_icsu"], band="8a", trained=True)
    return person


SCENARIOS: dict[str, Scenario] = {
    "workflow.services.referral_submit": Scenario(
        prepare=lambda s: None,
        call=lambda s, c: workflow.services.referral_submit(
            actor=s.cast.manager, **referral_kwargs(s.employee)
        ),
        actor="manager",
        action="submit",
        stages=("", "submitted"),
        why="payload",
    ),
    "workflow.services.case_triage": Scenario(
        prepare=lambda s: s.submitted(),
        call=lambda s, c: workflow.services.case_triage(
            case_id=_id(c), actor=s.cast.hr, route="panel", reason=PANEL_REASON
        ),
        actor="hr",
        action="triage",
        stages=("submitted", "panel"),
        why="reason",
    ),
    "workflow.services.referral_resubmit": Scenario(
        prepare=lambda s: s.returned(),
        call=lambda s, c: workflow.services.referral_resubmit(
            case_id=_id(c), actor=s.cast.manager, note=RESUBMIT_NOTE
        ),
        actor="manager",
        action="resubmit",
        stages=("submitted", "submitted"),
        why="reason",
    ),
    "workflow.services.case_record_informal_outcome": Scenario(
        prepare=lambda s: s.informal(),
        call=lambda s, c: workflow.services.case_record_informal_outcome(
            case_id=_id(c),
            actor=s.cast.hr,
            resolved=False,
            actions="A facilitated conversation.",
            reason="It happened again twice.",
        ),
        actor="hr",
        action="record_informal_outcome",
        stages=("informal", "panel"),
        why="reason",
    ),
    "panels.services.panel_convene": Scenario(
        prepare=lambda s: s.panel(),
        call=lambda s, c: panels.services.panel_convene(
            case_id=_id(c),
            actor=s.cast.hr,
            members=[m.pk for m in s.cast.panel],
            chair=s.cast.panel_a.pk,
        ),
        actor="hr",
        action="convene_panel",
        stages=("panel", "panel"),
        why="payload",
    ),
    "panels.services.panel_decision_record": Scenario(
        prepare=lambda s: s.convened(),
        call=lambda s, c: panels.services.panel_decision_record(
            case_id=_id(c), actor=s.cast.panel_a, outcome="mediation", rationale=RATIONALE
        ),
        actor="panel_a",
        action="decide",
        stages=("panel", "closed"),
        why="reason",
    ),
    "workflow.services.case_signoff": Scenario(
        prepare=lambda s: s.signoff(),
        call=lambda s, c: workflow.services.case_signoff(
            case_id=_id(c),
            actor=s.cast.director,
            approve=True,
            reason="Proportionate to the concern.",
        ),
        actor="director",
        action="signoff",
        stages=("signoff", "formal"),
        why="payload",
    ),
    "workflow.services.referral_withdraw": Scenario(
        prepare=lambda s: s.informal(),
        call=lambda s, c: workflow.services.referral_withdraw(
            case_id=_id(c), actor=s.cast.manager, reason="The concern was a misunderstanding."
        ),
        actor="manager",
        action="withdraw",
        stages=("informal", "closed"),
        why="reason",
    ),
    "panels.services.panel_suggest": Scenario(
        prepare=lambda s: s.panel(),
        call=lambda s, c: panels.services.panel_suggest(case_id=_id(c), actor=s.cast.hr),
        actor="hr",
        action="suggest_panel",
        stages=("panel", "panel"),
        why="payload",
    ),
    "panels.services.panel_declare": Scenario(
        prepare=lambda s: s.just_convened(),
        call=lambda s, c: panels.services.panel_declare(
            case_id=_id(c), actor=s.cast.panel_b, no_conflict=True
        ),
        actor="panel_b",
        action="declare",
        stages=("panel", "panel"),
        why="payload",
    ),
    "panels.services.panel_view_record": Scenario(
        prepare=_declared,
        call=lambda s, c: panels.services.panel_view_record(
            case_id=_id(c), actor=s.cast.panel_b, outcome="mediation", comment=VIEW_COMMENT
        ),
        actor="panel_b",
        action="record_view",
        stages=("panel", "panel"),
        why="payload",
    ),
    "panels.services.panel_members_replace": Scenario(
        prepare=_seat_empty,
        call=lambda s, c: panels.services.panel_members_replace(
            case_id=_id(c), actor=s.cast.hr, members=[_replacement(s).pk]
        ),
        actor="hr",
        action="replace_members",
        stages=("panel", "panel"),
        why="payload",
    ),
}

SERVICES = discovered_services()


def test_every_service_has_a_scenario() -> None:
    missing = set(SERVICES) - set(SCENARIOS)
    assert not missing, f"add a scenario for {sorted(missing)}"
    assert not set(SCENARIOS) - set(SERVICES), "a scenario names a service that is gone"


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_writes_exactly_one_event_with_the_required_fields(
    name: str, story: Story
) -> None:
    scenario = SCENARIOS.get(name)
    if scenario is None:
        pytest.fail(f"no scenario for {name}")
    case = scenario.prepare(story)
    before, started = AuditEvent.objects.count(), timezone.now()

    result = scenario.call(story, case)

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.select_related("actor", "case").latest("seq")
    assert event.actor == getattr(story.cast, scenario.actor)
    assert started <= event.at <= timezone.now()
    # A service answers with the case, or (suggest_panel) with what it read.
    acted_on = result if isinstance(result, Case) else Case.objects.get(pk=_id(case))
    assert event.case == acted_on
    assert event.action == scenario.action
    assert (event.from_stage, event.to_stage) == scenario.stages
    assert event.to_stage == acted_on.stage
    assert getattr(event, scenario.why), f"{name} recorded no {scenario.why}"
    assert verify_log().intact
