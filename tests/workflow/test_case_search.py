"""The case list's search (``workflow.selectors.case_search_q``): it finds a
case by its reference, the employee's name or staff number, and the referring
manager's name, and it only ever narrows what the viewer may see
(``access.CaseVisible``), never shows a case the list would not."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panels.services import panel_convene
from workflow.models import Case
from workflow.selectors import CASE_LIST_SORTS, case_list_for
from workflow.services import case_triage, referral_submit

from ..factories import EmployeeFactory, referral_kwargs

pytestmark = pytest.mark.django_db


class Cases:
    """Two managers' cases, one of them on a panel whose members have not declared."""

    def __init__(self, cast: Any) -> None:
        cast.manager.first_name, cast.manager.last_name = "Maya", "Lindqvist"
        cast.manager.save()
        self.grace = EmployeeFactory.create(name="Grace Okonkwo", staff_number="E770001")
        self.tomas = EmployeeFactory.create(name="Tomás Brennan", staff_number="E770002")
        self.ines = EmployeeFactory.create(name="Ines Achterberg", staff_number="E880003")
        self.mayas = referral_submit(actor=cast.manager, **referral_kwargs(self.grace))
        other = referral_submit(actor=cast.other_manager, **referral_kwargs(self.tomas))
        self.omars = other
        paneled = referral_submit(actor=cast.manager, **referral_kwargs(self.ines))
        case_triage(case_id=paneled.pk, actor=cast.hr, route="panel", reason="A pattern.")
        self.paneled = panel_convene(
            case_id=paneled.pk,
            actor=cast.hr,
            members=[m.pk for m in cast.panel],
            chair=cast.panel_a.pk,
        )


@pytest.fixture
def cases(cast: Any) -> Cases:
    return Cases(cast)


def found(user: Any, text: str) -> set[int]:
    return {c.pk for c in case_list_for(user, search=text)}


def test_hr_finds_a_case_by_each_field(cast: Any, cases: Cases) -> None:
    maya, omar = cases.mayas.pk, cases.omars.pk

    assert found(cast.hr, cases.mayas.reference) == {maya}
    assert found(cast.hr, "okonkwo") == {maya}  # any part of the name, any case
    assert found(cast.hr, "  Grace   Okonkwo ") == {maya}  # spaces do not matter
    assert found(cast.hr, "E770001") == {maya}
    assert found(cast.hr, "E7700") == {maya, omar}  # part of a staff number
    assert found(cast.hr, "Lindqvist") == {maya, cases.paneled.pk}  # the manager's name
    assert found(cast.hr, "Maya Lindqvist") == {maya, cases.paneled.pk}
    assert found(cast.hr, "omar.manager") == {omar}  # a manager with no name: their login
    assert found(cast.hr, "Nobody Atall") == set()


def test_a_manager_finds_only_their_own_cases(cast: Any, cases: Cases) -> None:
    # Omar's case is there to be found, but not by Maya, by any of its fields.
    for text in (cases.omars.reference, "Brennan", "E770002", "omar.manager"):
        assert found(cast.manager, text) == set()
        assert found(cast.other_manager, text) == {cases.omars.pk}
    assert found(cast.manager, "Okonkwo") == {cases.mayas.pk}


def test_a_member_yet_to_declare_cannot_find_a_case_by_its_staff_number(
    cast: Any, cases: Cases
) -> None:
    member = cast.panel_b
    # The reference and the people are on the row they see; the staff number is not.
    assert found(member, cases.paneled.reference) == {cases.paneled.pk}
    assert found(member, "Achterberg") == {cases.paneled.pk}
    assert found(member, "E880003") == set()
    # A member on no panel of a case finds nothing of it.
    assert found(cast.governance, "Achterberg") == set()
    assert found(cast.outsider, cases.mayas.reference) == set()
    # HR, who may read the details, does find it by the number.
    assert found(cast.hr, "E880003") == {cases.paneled.pk}


def test_a_misspelt_name_finds_close_names_only_when_nothing_matches(
    cast: Any, cases: Cases
) -> None:
    namesake = EmployeeFactory.create(name="Gracie Okonkwa", staff_number="E990009")
    close = referral_submit(actor=cast.manager, **referral_kwargs(namesake)).pk
    # pg_trgm's word similarity (migration 0012); SQLite finds by containment only.
    assert found(cast.hr, "Okonkow") == {cases.mayas.pk, close}
    # An exact match is never buried among close ones.
    assert found(cast.hr, "Okonkwo") == {cases.mayas.pk}
    # Close matches too stay within what the viewer may see.
    assert found(cast.other_manager, "Okonkow") == set()


def test_the_search_keeps_the_order_asked_for(cast: Any, cases: Cases) -> None:
    expected = sorted(
        Case.objects.filter(pk__in=[cases.mayas.pk, cases.paneled.pk]), key=lambda c: c.reference
    )
    rows = case_list_for(cast.hr, search="Lindqvist", sort="reference")
    assert [c.pk for c in rows] == [c.pk for c in expected]
    by_name = case_list_for(cast.hr, search="Lindqvist", sort="-employee")
    assert [c.employee_name for c in by_name] == ["Ines Achterberg", "Grace Okonkwo"]
    assert set(CASE_LIST_SORTS) >= {"reference", "-reference", "employee", "submitted"}


PEOPLE = ["hr", "manager", "other_manager", "panel_a", "panel_b", "director", "governance"]
FRAGMENTS = ["Grace", "okon", "Brennan", "E77", "E880003", "Lindqvist", "omar", "a", "-", "2"]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    who=st.sampled_from(PEOPLE),
    text=st.one_of(
        st.sampled_from(FRAGMENTS),
        st.text(alphabet="aeinorstAEGLO0127-. ", min_size=1, max_size=12),
    ),
)
def test_search_results_are_always_cases_the_list_shows(
    cast: Any, cases: Cases, who: str, text: str
) -> None:
    user = getattr(cast, who)
    visible = {c.pk: c for c in case_list_for(user)}
    results = found(user, text)
    # Never a case the list would not show...
    assert results <= set(visible)
    # ...and every visible case whose reference or employee's name holds the text.
    needle = " ".join(text.split()).lower()
    if needle:
        held = {pk for pk, c in visible.items() if needle in f"{c.reference}".lower()}
        held |= {pk for pk, c in visible.items() if needle in c.employee_name.lower()}
        assert held <= results
