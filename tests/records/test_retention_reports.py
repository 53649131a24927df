"""Reports computed before and after case files are destroyed agree.

Destroying a file keeps what the reports count (its unit, dates, stage,
outcome, WRES group and whether it carries its person), so WRES indicator
3, the governance pack and its download are the same figure for figure,
including for a person with two investigations of which one is destroyed.
"""

from __future__ import annotations

import time_machine

from records.retention import case_destroy

from .world import LATER, build_world, every_report

REASON = "Six years since closure under the retention schedule."


def destroy(case, hr):
    return case_destroy(case_id=case.pk, actor=hr, reference=case.reference, reason=REASON)


def test_every_report_is_the_same_before_and_after_destruction(cast):
    world = build_world(cast)
    before = every_report()
    assert before["wres"], "the trust has figures to compare"
    with time_machine.travel(LATER):
        destroyed = [world.twice[0], world.formal[0], world.formal[2], *world.closed[:2]]
        for case in destroyed:
            destroy(case, cast.hr)
    assert every_report() == before


def test_the_reports_still_agree_when_both_of_one_persons_cases_are_destroyed(cast):
    world = build_world(cast)
    before = every_report()
    with time_machine.travel(LATER):
        for case in reversed([*world.twice, *world.formal, *world.closed]):
            destroy(case, cast.hr)
    assert every_report() == before


def test_the_figures_compared_are_not_trivially_empty(cast):
    build_world(cast)
    trust_2024 = next(
        row
        for row in every_report()["wres"]
        if row["org_unit"] == "TRUST" and row["year"] == 2024 and row["window"] == 1
    )
    # The two-case person counts once: N, M (2024/25: N twice, H, Z) -> BME 2.
    assert trust_2024["bme"]["entered"] == 2
    assert trust_2024["white"]["entered"] == 1  # B in Surgery
    assert trust_2024["unknown"]["entered"] == 1
