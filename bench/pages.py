"""Page times at 1,000 and 100,000 cases, in one run: ``make bench-scale``.

Builds or reuses the two seeded databases (``bench/seed.py``: same open work,
a hundred times the history), then, in this one process, requests each page
the product's people use most with the Django test client against each
database in turn: the HR inbox, HR's Panels, a panel member's inbox and My
panels, the case list (HR and a referring manager), the API list and detail
(with a real token), a case page, the audit search, the governance pack and
the early warning (as HR and as governance).

Each page gets a warm-up, then ``REPEAT`` requests per size, alternating the
sizes request by request (and which goes first), so that load from anything
else on the machine falls on both alike. It prints each page's median at each
size, their ratio and the queries of one request at each size, and PASS when
the median at 100,000 is within ``LIMIT`` of the median at 1,000 and the
query counts are equal. It exits non-zero if any page fails.

The same people and the same case are used at both sizes: the demo's own
users and cases are the templates every copy is made from, so they exist
with the same ids and the same open work in both databases.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("FTP_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench import seed

SIZES = (1_000, 100_000)
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
LIMIT = 1.5


@dataclass(frozen=True)
class Page:
    label: str
    who: str  # a key of people()
    url: str
    api: bool = False


def main() -> None:
    names = {size: seed.ensure(size) for size in SIZES}
    os.environ["DATABASE_URL"] = seed.database_url(names[SIZES[0]])
    import django

    django.setup()
    wrappers = {size: _wrapper(name) for size, name in names.items()}
    database_use(wrappers[SIZES[0]])
    pages, people = _pages()
    for size in SIZES:
        _nightly(wrappers[size])
    clients = {size: signed_in_clients(wrappers[size], people) for size in SIZES}
    print(
        f"Pages at {SIZES[0]:,} and {SIZES[1]:,} cases (median of {REPEAT} after a warm-up;"
        f" PASS: time ratio <= {LIMIT}x and equal queries)"
    )
    print(f"{'page':<22}{'1k ms':>9}{'100k ms':>9}{'ratio':>8}{'q 1k':>7}{'q 100k':>8}  result")
    failed = [page.label for page in pages if not _measure(page, wrappers, clients)]
    print("All pages PASS." if not failed else f"FAIL: {', '.join(failed)}")
    sys.exit(1 if failed else 0)


def _wrapper(name: str) -> Any:
    """A connection to ``name`` that can stand in as the default connection."""
    from django.db import connections
    from django.db.utils import load_backend

    base = connections["default"].settings_dict
    return load_backend(base["ENGINE"]).DatabaseWrapper({**base, "NAME": name}, "default")


def database_use(wrapper: Any) -> None:
    from django.db import connections

    connections["default"] = wrapper


def _pages() -> tuple[list[Page], dict[str, str]]:
    """The pages, and who asks for each: the member with the most open seats
    and a case at the panel stage with its panel convened, both templates."""
    from django.urls import reverse

    from bench.seed import sql

    member = sql(
        "SELECT u.username FROM panels_panelmembership m JOIN auth_user u ON u.id = m.user_id"
        " JOIN panels_panel p ON p.id = m.panel_id JOIN workflow_case c ON c.id = p.case_id"
        " WHERE c.stage IN ('panel', 'signoff') AND u.username ~ '^panel[0-9]+$'"
        " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    )[0][0]
    case = sql(
        "SELECT min(c.id) FROM workflow_case c JOIN panels_panel p ON p.case_id = c.id"
        " WHERE c.stage = 'panel' AND c.id < 100"
    )[0][0]
    people = {
        "hr": "hr1",
        "member": member,
        "manager": "manager1",
        "governance": "governance",
        "api": "hr1",
    }
    pages = [
        Page("HR inbox", "hr", reverse("cases:inbox")),
        Page("HR Panels", "hr", reverse("cases:panels")),
        Page("member inbox", "member", reverse("cases:inbox")),
        Page("My panels", "member", reverse("cases:my_panels")),
        Page("case list (HR)", "hr", reverse("cases:list")),
        Page("case list (manager)", "manager", reverse("cases:list")),
        Page("API list", "api", reverse("api:referrals"), api=True),
        Page("API detail", "api", reverse("api:referral", args=[case]), api=True),
        Page("case page", "hr", reverse("cases:detail", args=[case])),
        Page("audit search", "hr", reverse("audit:index")),
        Page("governance pack", "governance", reverse("reports:governance")),
        Page("early warning (HR)", "hr", reverse("reports:early_warning")),
        Page("early warning (governance)", "governance", reverse("reports:early_warning")),
    ]
    return pages, people


def _nightly(wrapper: Any) -> None:
    """What the nightly run does before anyone opens the early warning: its
    snapshots as at yesterday (timed, as the night's work it is)."""
    from django.utils import timezone

    from reports.early_warning_snapshot import early_warning_nightly_run
    from tenancy.context import trust_entered
    from tenancy.models import Trust

    database_use(wrapper)
    for trust in Trust.objects.all():
        with trust_entered(trust):
            start = time.perf_counter()
            early_warning_nightly_run(timezone.localdate())
            took = time.perf_counter() - start
        name = wrapper.settings_dict["NAME"]
        print(f"{name}: nightly early warning of {trust.code} in {took:.1f} s")


def signed_in_clients(wrapper: Any, people: dict[str, str]) -> dict[str, Any]:
    """A signed-in client per person on this database (a knox token for the API)."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from knox.models import AuthToken

    database_use(wrapper)
    clients: dict[str, Any] = {}
    for who, username in people.items():
        user = get_user_model().objects.get(username=username)
        if who == "api":
            _, token = AuthToken.objects.create(user=user)
            clients[who] = Client(HTTP_AUTHORIZATION=f"Token {token}")
        else:
            clients[who] = Client()
            clients[who].force_login(user)
    return clients


def _get(page: Page, wrapper: Any, client: Any) -> tuple[float, int]:
    database_use(wrapper)
    wrapper.ensure_connection()  # connecting is not the page's time
    start = time.perf_counter()
    response = client.get(page.url, HTTP_ACCEPT="application/json" if page.api else "text/html")
    elapsed = time.perf_counter() - start
    return elapsed, response.status_code


def _queries(page: Page, wrapper: Any, client: Any) -> int:
    from django.test.utils import CaptureQueriesContext

    database_use(wrapper)
    with CaptureQueriesContext(wrapper) as ctx:
        client.get(page.url)
    return len(ctx.captured_queries)


def _measure(page: Page, wrappers: dict[int, Any], clients: dict[int, dict[str, Any]]) -> bool:
    small, large = SIZES
    samples: dict[int, list[float]] = {small: [], large: []}
    statuses: set[int] = set()
    for size in SIZES:  # warm-up
        _get(page, wrappers[size], clients[size][page.who])
    for i in range(REPEAT):
        for size in SIZES if i % 2 == 0 else SIZES[::-1]:
            elapsed, status = _get(page, wrappers[size], clients[size][page.who])
            samples[size].append(elapsed)
            statuses.add(status)
    queries = {size: _queries(page, wrappers[size], clients[size][page.who]) for size in SIZES}
    t_small, t_large = (statistics.median(samples[s]) for s in SIZES)
    ratio = t_large / t_small
    ok = ratio <= LIMIT and queries[small] == queries[large] and statuses == {200}
    note = "" if statuses == {200} else f"  status {sorted(statuses)}"
    print(
        f"{page.label:<22}{t_small * 1000:>9.1f}{t_large * 1000:>9.1f}{ratio:>7.2f}x"
        f"{queries[small]:>7}{queries[large]:>8}  {'PASS' if ok else 'FAIL'}{note}"
    )
    return ok


if __name__ == "__main__":
    main()
