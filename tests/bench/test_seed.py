"""The benchmark seeder (``bench/seed.py``): its plan keeps open work and the
pool's load as documented at any size (a seeded database is checked whole in
test_tenant_seed.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench import seed

ROOT = Path(__file__).resolve().parents[2]


@given(st.integers(min_value=400, max_value=5_000_000))
def test_the_plan_reaches_the_size_with_the_same_open_work(cases: int) -> None:
    plan = seed.plan_for(cases)
    open_cases = seed.OPEN_COPIES * 14
    total = open_cases + 20 * plan.closed_copies
    assert cases <= total < max(cases, open_cases) + 20
    # The teams that hold the open work exist at every size, and every pool
    # member has an employee record in a group of their own team's number.
    assert plan.pool_teams >= seed.OPEN_TEAMS
    assert plan.manager_teams >= seed.OPEN_TEAMS
    assert plan.employee_groups >= plan.pool_teams


@given(st.integers(min_value=50_000, max_value=5_000_000))
def test_pool_members_sit_on_about_twenty_panels_a_year(cases: int) -> None:
    plan = seed.plan_for(cases)
    seats_per_member_year = 8 * plan.closed_copies / (plan.pool_teams * seed.YEARS)
    assert 15 <= seats_per_member_year <= 25


def test_the_database_name_replaces_only_the_path() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ftp")
    url = seed.database_url("ftp_scale_1k")
    assert url.endswith("/ftp_scale_1k")
    assert seed.default_name(100_000) == "ftp_scale_100k"
    assert seed.default_name(1_500) == "ftp_scale_1500"


def _rows(name: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(seed.database_url(name)) as conn:
        return conn.execute(query).fetchall()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("postgres", b"was not built by bench/seed.py"),
        ('x"; DROP', b"--name must be lower-case letters"),
    ],
)
def test_the_seeder_never_drops_a_database_it_did_not_build(name: str, message: bytes) -> None:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "bench/seed.py", "--cases", "1000", "--name", name, "--rebuild"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert done.returncode != 0
    assert message in done.stderr
    assert _rows("postgres", "SELECT 1")  # still there
