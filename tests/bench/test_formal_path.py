"""The formal-path benchmark compares like with like (``bench/run.py``).

Its bare-ORM baseline must write exactly the rows the services write, table
by table, or its ratio would flatter the services; and the services must
stay within three times its queries (the benchmark also times them, which a
test cannot do reliably on a shared machine).
"""

from __future__ import annotations

import pytest

from bench import run

pytestmark = pytest.mark.django_db


def test_the_bare_baseline_writes_the_same_rows_as_the_services() -> None:
    cast = run.make_cast()
    run.service_path(cast)  # the year's first case also makes its reference counter
    assert run.check_same_rows(cast) == []


def test_the_services_cost_at_most_three_times_the_bare_queries() -> None:
    cast = run.make_cast()
    run.service_path(cast)  # warm the per-process caches on both sides
    run.Bare(cast).path()
    services, bare = run.Meter(capture=True), run.Meter(capture=True)
    run.service_path(cast, services)
    run.Bare(cast).path(bare)
    for step in run.STEPS:
        assert services.queries(step) > 0
        assert bare.queries(step) > 0
    assert services.queries() <= 3 * bare.queries()
