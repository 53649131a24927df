"""The case list: the same scoping as the web UI, newest first, 25 a page, filterable."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.roles import Role

from ..factories import EmployeeFactory, OrgUnitFactory, make_user, org_tree
from .steps import WITHDRAW_REASON, Api, Walk, ok

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def listed(api: Api, **filters: Any) -> list[int]:
    """The ids on the first page the person is shown, in the order shown."""
    return [row["id"] for row in ok(api.cases(**filters))["results"]]


def on(day: str) -> time_machine.travel:
    """Midday on ``day`` in the trust's time zone, so the date is never in doubt."""
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T12:00").replace(tzinfo=LONDON))


@pytest.fixture
def cases(cast: Any, employee: Any, walk: Walk) -> dict[str, int]:
    """Cases by two managers, one convened on panel_a, b and c."""
    theirs = Walk(cast, employee, {"manager": Api.as_user(cast.other_manager)})
    return {
        "mine": walk.submitted()["id"],
        "mine_convened": walk.convened()["id"],
        "theirs": theirs.submitted()["id"],
    }


def test_a_manager_sees_only_the_cases_they_referred(cast: Any, cases: dict[str, int]) -> None:
    mine = {cases["mine"], cases["mine_convened"]}
    assert set(listed(Api.as_user(cast.manager))) == mine
    assert set(listed(Api.as_user(cast.other_manager))) == {cases["theirs"]}


def test_a_panel_member_sees_only_the_cases_they_were_convened_on(
    cast: Any, cases: dict[str, int]
) -> None:
    assert listed(Api.as_user(cast.panel_b)) == [cases["mine_convened"]]
    assert listed(Api.as_user(make_user("dev.panel", Role.PANEL))) == []


@pytest.mark.parametrize("who", ["hr", "director"])
def test_hr_and_decision_makers_see_every_case(cast: Any, cases: dict[str, int], who: str) -> None:
    page = ok(Api.as_user(getattr(cast, who)).cases())
    assert {row["id"] for row in page["results"]} == set(cases.values())
    assert (page["next"], page["previous"]) == (None, None)


@pytest.mark.parametrize("who", ["governance", "outsider"])
def test_governance_and_people_without_a_role_see_no_case(
    cast: Any, cases: dict[str, int], who: str
) -> None:
    page = ok(Api.as_user(getattr(cast, who)).cases())
    assert page == {"next": None, "previous": None, "results": [], "close_matches": False}


def test_a_list_row_shows_no_ethnicity(cast: Any, cases: dict[str, int]) -> None:
    row = ok(Api.as_user(cast.hr).cases())["results"][0]
    assert set(row) == {
        "id",
        "reference",
        "stage",
        "outcome",
        "employee_name",
        "owner",
        "org_unit",
        "concern_category",
        "submitted_at",
        "updated_at",
        "due_on",
        "overdue",
    }


def test_the_list_comes_25_a_page_with_links_to_the_next(cast: Any, walk: Walk) -> None:
    made = [walk.submitted()["id"] for _ in range(26)]
    hr = Api.as_user(cast.hr)

    first = ok(hr.cases())
    assert (len(first["results"]), first["previous"]) == (25, None)
    assert "/api/v1/referrals/?cursor=" in first["next"]

    second = ok(hr.client.get(first["next"]))
    assert (len(second["results"]), second["next"]) == (1, None)
    assert [r["id"] for r in first["results"] + second["results"]] == made[::-1]

    # Back from the second page: the first again.
    again = ok(hr.client.get(second["previous"]))
    assert [r["id"] for r in again["results"]] == [r["id"] for r in first["results"]]
    assert again["previous"] is None


def test_a_page_stays_put_while_cases_are_added(cast: Any, walk: Walk) -> None:
    """A keyset page starts after the last case shown, so a case submitted
    meanwhile appears on the first page and never shifts the next one."""
    made = [walk.submitted()["id"] for _ in range(26)]
    hr = Api.as_user(cast.hr)
    first = ok(hr.cases())
    newcomer = walk.submitted()["id"]

    second = ok(hr.client.get(first["next"]))
    assert [r["id"] for r in second["results"]] == [made[0]]
    assert newcomer in listed(hr)


@pytest.mark.parametrize("cursor", ["0", "two", "x" * 300, "WyJ4IiwxXQ"])
def test_a_damaged_cursor_is_a_400_naming_it(cast: Any, walk: Walk, cursor: str) -> None:
    walk.submitted()
    response = Api.as_user(cast.hr).cases(cursor=cursor)
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_an_old_page_number_is_refused_by_name(cast: Any, walk: Walk) -> None:
    walk.submitted()
    response = Api.as_user(cast.hr).cases(page=2)
    assert response.status_code == 400
    assert "page" in response.json()["errors"]


def test_filters_carry_over_to_the_next_page(cast: Any, walk: Walk) -> None:
    for _ in range(26):
        walk.submitted()
    walk.informal()

    first = ok(Api.as_user(cast.hr).cases(stage="submitted"))

    assert "stage=submitted" in first["next"]
    assert "cursor=" in first["next"]
    second = ok(Api.as_user(cast.hr).client.get(first["next"]))
    assert len(second["results"]) == 1
    assert {r["stage"] for r in second["results"]} == {"submitted"}


def test_newest_submission_comes_first_whatever_order_the_rows_were_made(walk: Walk) -> None:
    with on("2026-03-10"):
        march = walk.submitted()["id"]
    with on("2026-01-10"):
        january = walk.submitted()["id"]  # made later, submitted earlier
    with on("2026-02-10"):
        february = walk.submitted()["id"]

    assert listed(walk.hr) == [march, february, january]


def test_the_stage_filter(walk: Walk) -> None:
    submitted = walk.submitted()["id"]
    informal = walk.informal()["id"]
    closed = walk.closed()["id"]

    assert listed(walk.hr, stage="submitted") == [submitted]
    assert listed(walk.hr, stage="informal") == [informal]
    assert listed(walk.hr, stage="closed") == [closed]
    assert listed(walk.hr, stage="formal") == []


def test_the_org_unit_filter(cast: Any, walk: Walk) -> None:
    radiology = OrgUnitFactory(code="DEP-XR", name="Radiology", parent=org_tree()["icsu"])
    in_radiology = ok(walk.manager.submit(EmployeeFactory(org_unit=radiology)), 201)["id"]
    in_ed = walk.submitted()["id"]

    assert listed(walk.hr, org_unit="DEP-XR") == [in_radiology]
    assert listed(walk.hr, org_unit="DEP-ED") == [in_ed]
    assert listed(walk.hr, org_unit="NO-SUCH-UNIT") == []


def test_the_outcome_filter(walk: Walk) -> None:
    resolved = walk.closed()["id"]
    withdrawn = walk.submitted()["id"]
    ok(walk.manager.act(withdrawn, "withdraw", reason=WITHDRAW_REASON))
    walk.informal()

    assert listed(walk.hr, outcome="resolved_informally") == [resolved]
    assert listed(walk.hr, outcome="withdrawn") == [withdrawn]
    assert listed(walk.hr, outcome="mediation") == []


def test_the_submission_date_filters_include_both_ends(walk: Walk) -> None:
    made = {}
    for day in ("2026-01-10", "2026-02-10", "2026-03-10"):
        with on(day):
            made[day] = walk.submitted()["id"]

    assert listed(walk.hr, submitted_from="2026-02-10") == [made["2026-03-10"], made["2026-02-10"]]
    assert listed(walk.hr, submitted_to="2026-02-10") == [made["2026-02-10"], made["2026-01-10"]]
    between = listed(walk.hr, submitted_from="2026-02-01", submitted_to="2026-02-28")
    assert between == [made["2026-02-10"]]


def test_filters_never_widen_what_a_person_may_see(cast: Any, cases: dict[str, int]) -> None:
    manager = Api.as_user(cast.manager)
    assert listed(manager, stage="submitted") == [cases["mine"]]
    assert listed(manager, org_unit="DEP-ED", stage="panel") == [cases["mine_convened"]]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"stage": "fly"}, "stage"),
        ({"stage": ""}, "stage"),
        ({"submitted_to": ""}, "submitted_to"),
        ({"outcome": "fly"}, "outcome"),
        ({"submitted_from": "yesterday"}, "submitted_from"),
        ({"submitted_to": "2026-13-01"}, "submitted_to"),
        ({"org_unit": "X" * 33}, "org_unit"),
        ({"org_unit": "x" * 1_000_000}, "org_unit"),
        ({"org_unit": "DEP\x00ED"}, "org_unit"),
        ({"cursor": "0"}, "cursor"),
        ({"cursor": "two"}, "cursor"),
        ({"cursor": "9" * 10**3}, "cursor"),
        ({"colour": "red"}, "colour"),
        ({"sort": "ethnicity"}, "sort"),
        ({"q": "x" * 101}, "q"),
        ({"q": "Okafor\x00"}, "q"),
    ],
)
def test_a_bad_filter_gets_400_naming_it(
    cast: Any, cases: dict[str, int], filters: dict[str, Any], field: str
) -> None:
    response = Api.as_user(cast.hr).cases(**filters)

    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert list(body["errors"]) == [field]


@pytest.fixture
def named(cast: Any) -> dict[str, int]:
    """Three referrals by the manager, of employees with distinct names."""
    made = {}
    for name, number in (("Grace Okonkwo", "ESR50001"), ("Adam Baker", "ESR50002")):
        employee = EmployeeFactory(name=name, staff_number=number)
        made[name] = Walk(cast, employee).submitted()["id"]
    zoe = EmployeeFactory(name="Zoe Able", staff_number="ESR50003")
    made["Zoe Able"] = Walk(cast, zoe, {"manager": Api.as_user(cast.other_manager)}).submitted()[
        "id"
    ]
    return made


def test_q_searches_by_name_staff_number_and_reference(cast: Any, named: dict[str, int]) -> None:
    hr = Api.as_user(cast.hr)
    assert listed(hr, q="okonkwo") == [named["Grace Okonkwo"]]
    assert listed(hr, q=" ESR50002 ") == [named["Adam Baker"]]
    reference = ok(hr.case(named["Zoe Able"]))["reference"]
    assert listed(hr, q=reference.lower()) == [named["Zoe Able"]]
    assert ok(hr.cases(q="okonkwo"))["close_matches"] is False


def test_q_falls_back_to_close_names_and_says_so(cast: Any, named: dict[str, int]) -> None:
    page = ok(Api.as_user(cast.hr).cases(q="Okonkow"))
    assert [row["id"] for row in page["results"]] == [named["Grace Okonkwo"]]
    assert page["close_matches"] is True


def test_q_never_widens_what_a_person_may_see(cast: Any, named: dict[str, int]) -> None:
    # Zoe Able was referred by the other manager: not in this manager's list by any search.
    manager = Api.as_user(cast.manager)
    assert listed(manager, q="Zoe Able") == []
    assert listed(manager, q="Zoe") == []
    assert set(listed(manager, q="a")) <= {named["Grace Okonkwo"], named["Adam Baker"]}


def test_sort_by_employee_and_reference_both_ways(cast: Any, named: dict[str, int]) -> None:
    hr = Api.as_user(cast.hr)
    by_name = [named["Adam Baker"], named["Grace Okonkwo"], named["Zoe Able"]]
    assert listed(hr, sort="employee") == by_name
    assert listed(hr, sort="-employee") == by_name[::-1]
    references = [row["reference"] for row in ok(hr.cases(sort="reference"))["results"]]
    assert references == sorted(references)
    assert listed(hr, sort="-reference") == listed(hr, sort="reference")[::-1]


def test_search_and_sort_carry_over_to_the_next_page(cast: Any, walk: Walk) -> None:
    for _ in range(26):
        walk.submitted()
    hr = Api.as_user(cast.hr)
    first = ok(hr.cases(q=walk.employee.name, sort="reference"))
    assert "q=" in first["next"]
    assert "sort=reference" in first["next"]
    second = ok(hr.client.get(first["next"]))
    references = [row["reference"] for row in first["results"] + second["results"]]
    assert len(references) == 26
    assert references == sorted(references)
