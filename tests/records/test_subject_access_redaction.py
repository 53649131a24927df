"""The pack's redaction rules hold for any people and cases.

For generated employees (the requester, their line manager, colleagues with
cases of their own) and cases walked through the services at generated
points, every file of the requester's pack (the CSVs as written, the
cover's text layer read back) is searched: no other employee's name, staff
number or ethnic category, nor another person's case reference, is ever
there; and with the trust's ``sar_name_staff_in_role`` false, no member of staff's
name or username either.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from records.subject_access import subject_access_pack
from staff.ethnicity import EthnicCategory
from staff.models import Employee

from ..factories import EmployeeFactory, make_user
from ..policy import policy_set
from ..workflow.steps import Story
from .conftest import FULL_NAMES
from .packs import every_text

# Names no fixed text of the pack could contain by chance.
name_st = st.from_regex(r"Qz[a-z]{4,8} Qy[a-z]{4,8}", fullmatch=True)
category_st = st.sampled_from([c.value for c in EthnicCategory])
POINTS = ["submitted", "informal", "closed", "convened", "formal"]
# A case: whose it is (0: the requester; 1..: a colleague) and how far it went.
case_st = st.tuples(st.integers(min_value=0, max_value=2), st.sampled_from(POINTS))


def _label(code: str) -> str:
    return str(EthnicCategory(code).label)


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    names=st.lists(name_st, min_size=4, max_size=4, unique=True),
    categories=st.lists(category_st, min_size=4, max_size=4),
    cases=st.lists(case_st, min_size=1, max_size=4),
    requester_has_login=st.booleans(),
    name_staff=st.booleans(),
)
def test_no_other_persons_data_reaches_any_file_of_the_pack(
    people: Any,
    names: list[str],
    categories: list[str],
    cases: list[tuple[int, str]],
    requester_has_login: bool,
    name_staff: bool,
) -> None:
    with transaction.atomic():
        policy_set(sar_name_staff_in_role=name_staff)
        line_manager: Employee = EmployeeFactory.create(
            name=names[1], ethnic_category=categories[1]
        )
        requester: Employee = EmployeeFactory.create(
            name=names[0], ethnic_category=categories[0], line_manager=line_manager
        )
        colleagues: list[Employee] = [
            EmployeeFactory.create(name=name, ethnic_category=code)
            for name, code in zip(names[2:], categories[2:], strict=True)
        ]
        # The requester may be a manager with a login, referring colleagues.
        login = make_user("qz.requester", Role.MANAGER) if requester_has_login else None
        if login is not None:
            requester.user = login
            requester.save(update_fields=["user"])
        whose = [requester, *colleagues]
        walked = []
        for owner, point in cases:
            story = Story(people, whose[owner])
            manager = login if owner > 0 and login is not None else None
            walked.append(_walk(story, point, manager))

        pack = subject_access_pack(
            actor=people.hr, staff_number=requester.staff_number, request_reference="SAR-H"
        )
        text = every_text(pack.content)

        others = [line_manager, *colleagues, *_panel_employees(people)]
        mine = _label(requester.ethnic_category)
        forbidden = [c.name for c in colleagues] + [o.staff_number for o in others]
        forbidden += [
            _label(o.ethnic_category)
            for o in others
            if o.ethnic_category and _label(o.ethnic_category) not in mine
        ]
        forbidden += [c.reference for c in walked if c.employee_id != requester.pk]
        staff = [line_manager.name] + [f"{a} {b}" for a, b in FULL_NAMES.values()]
        staff += [u.username for u in vars(people).values()]
        if not name_staff:
            forbidden += staff
        found = [value for value in forbidden if value in text]
        assert found == [], found
        # Positive control: the scan reads the files (the cover names who produced it).
        assert ("Hana Holloway" in text) == name_staff
        assert ("HR adviser 1" in text) == (not name_staff)
        assert requester.name in text
        assert requester.staff_number in text
        transaction.set_rollback(True)


def _walk(story: Story, point: str, manager: Any) -> Any:
    if point in ("submitted", "informal", "convened"):
        return (
            getattr(story, point)(manager=manager)
            if point != "convened"
            else story.convened(manager=manager)
        )
    return getattr(story, point)()


def _panel_employees(people: Any) -> list[Any]:
    """The cast's panel members' own employee records (the pool needs them)."""
    return [user.employee for user in people.panel]
