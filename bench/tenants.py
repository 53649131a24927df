"""Page times for one trust among forty: ``make bench-tenants``.

Issue 16: the scale benchmark with 40 trusts of 2,500 cases each keeps the
page ratios of the single-trust benchmark. Builds or reuses three seeded
databases (``bench/seed.py``):

* **small**: one trust, 1,000 cases (the baseline);
* **single**: one trust, 100,000 cases (``bench/pages.py``'s large size);
* **multi**: 40 trusts of 2,500 cases each (100,000 in all), every trust a
  clone of the first, so the trust measured shares its tables and indexes
  with 39 others.

Every request is made as the application's database role (``BENCH_APP_ROLE``,
``ftp_bench_app``): a login that owns nothing, is not a superuser and has no
BYPASSRLS, granted with ``tenancy.roles.app_role_grant`` as production's role
is, so row-level security is in force; the trust middleware enters the
person's trust (``tenancy.context.trust_entered``) as it does in production.
Before measuring, each connection shows that it is that role and that no
case is visible outside a trust.

The pages are ``bench/pages.py``'s (the inboxes, Panels, My panels, the case
list for HR and a manager, the API list and detail, a case page, the audit
search and the governance pack) and two deep keyset pages (the case list and
the API list three years back). The same people and case are used in every
database: the demo's templates in the first trust (``NB``), or with
``--trust B040`` that clone's copies of them in the multi-trust database.

Each page gets a warm-up, then ``REPEAT`` rounds, each requesting it once
from every database in a rotating order, so that load from anything else on
the machine falls on all alike. Per page it prints the median in each
database, the ratios multi/single and multi/small, and the queries of one
request in each. **PASS** when the page in the multi-trust database is within
``LIMIT`` (1.5x, ``bench/pages.py``'s bar) of the small database or no more
than ``SLACK_MS`` slower (timer noise on pages of a few milliseconds), and
it makes as many queries as in both single-trust databases. It exits
non-zero if any page fails. ``--multi 4x25000`` measures another
multi-trust shape (four trusts of 25,000 cases). ``--explain`` also prints,
for each page in the multi-trust database, the plan of its slowest query (EXPLAIN ANALYZE as the
application role inside the trust): which indexes serve it.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from bench.pages import database_use, signed_in_clients

SHAPES = {  # label: (cases per trust, trusts)
    "small": (1_000, 1),
    "single": (100_000, 1),
    "multi": (2_500, 40),
}
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
LIMIT = 1.5
SLACK_MS = 3.0
APP_ROLE = os.environ.get("BENCH_APP_ROLE", "ftp_bench_app")
# Where the deep pages start: this long before now, in the list's order.
DEEP = dt.timedelta(days=3 * 365)


@dataclass(frozen=True)
class Page:
    label: str
    who: str  # a key of the people
    url: str
    api: bool = False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trust", default=seed.TEMPLATE_CODE, help="trust measured in multi")
    parser.add_argument("--explain", action="store_true", help="print the multi plans")
    parser.add_argument(
        "--multi",
        default="40x2500",
        metavar="TRUSTSxCASES",
        help="the multi-trust shape (default 40x2500: 40 trusts of 2,500 cases)",
    )
    args = parser.parse_args()
    try:
        trusts, cases = (int(n) for n in args.multi.lower().split("x"))
    except ValueError:
        parser.error("--multi is trusts x cases, such as 40x2500")
    SHAPES["multi"] = (cases, trusts)
    names = {label: seed.ensure(cases, trusts=trusts) for label, (cases, trusts) in SHAPES.items()}
    os.environ["DATABASE_URL"] = seed.database_url(names["small"])
    import django

    django.setup()
    for name in names.values():
        _role_prepare(name)
    wrappers = {label: _wrapper(name) for label, name in names.items()}
    codes = {label: args.trust if label == "multi" else seed.TEMPLATE_CODE for label in SHAPES}
    setups = {label: _setup(names[label], codes[label]) for label in SHAPES}
    clients = {label: signed_in_clients(wrappers[label], setups[label][1]) for label in SHAPES}
    for label in SHAPES:
        print(_role_check(label, wrappers[label]))
    print(
        f"Pages for trust {args.trust} of {SHAPES['multi'][1]} x {SHAPES['multi'][0]:,} cases"
        f" (multi) against one trust of {SHAPES['single'][0]:,} (single) and of"
        f" {SHAPES['small'][0]:,} (small); median of {REPEAT} after a warm-up."
        f"\nPASS: multi within {LIMIT}x of small (or {SLACK_MS:.0f} ms) and the same queries in"
        " all three."
    )
    print(
        f"{'page':<22}{'small':>8}{'single':>8}{'multi':>8}{'m/single':>9}{'m/small':>9}"
        f"{'queries s/1/m':>15}  result"
    )
    pages = {label: setups[label][0] for label in SHAPES}
    failed = []
    for i in range(len(pages["small"])):
        page = {label: pages[label][i] for label in SHAPES}
        if not _measure(page, wrappers, clients):
            failed.append(page["small"].label)
    print("All pages PASS." if not failed else f"FAIL: {', '.join(failed)}")
    if args.explain:
        _explain(pages["multi"], wrappers["multi"], clients["multi"], setups["multi"][2])
    sys.exit(1 if failed else 0)


def _role_prepare(name: str) -> None:
    """Create the application role (once per server) and grant it ``name``'s
    tables, as the owner, the way ``manage.py migrate`` grants production's."""
    from tenancy.roles import app_role_create, app_role_grant

    owner = _wrapper(name, user=None)
    app_role_create(owner, APP_ROLE)
    app_role_grant(owner, APP_ROLE)
    owner.close()


def _wrapper(name: str, user: str | None = APP_ROLE) -> Any:
    """A connection to ``name`` (as ``user``, or the owner of ``DATABASE_URL``)
    that can stand in as the default connection."""
    from django.db import connections
    from django.db.utils import load_backend

    base = connections["default"].settings_dict
    settings = {**base, "NAME": name, **({"USER": user, "PASSWORD": ""} if user else {})}
    return load_backend(base["ENGINE"]).DatabaseWrapper(settings, "default")


def _owner_rows(name: str, query: str, params: list[Any] | None = None) -> list[Any]:
    import psycopg

    with psycopg.connect(seed.database_url(name)) as conn:
        return conn.execute(query, params).fetchall()


def _setup(name: str, code: str) -> tuple[list[Page], dict[str, str], int]:
    """The pages, who asks for each, and the trust's id, in database ``name``.

    The people and case are the templates' in the first trust, or their
    copies in clone ``code`` (usernames ending ``-<code>``): the member with
    the most open seats and the first case at the panel stage with its panel
    convened."""
    from django.urls import reverse

    from core.paging import AFTER, Cursor

    trust = _owner_rows(name, "SELECT id FROM tenancy_trust WHERE code = %s", [code])[0][0]
    suffix = "" if code == seed.TEMPLATE_CODE else f"-{code}"
    member = _owner_rows(
        name,
        "SELECT u.username FROM panels_panelmembership m JOIN auth_user u ON u.id = m.user_id"
        " JOIN panels_panel p ON p.id = m.panel_id JOIN workflow_case c ON c.id = p.case_id"
        " WHERE c.stage IN ('panel', 'signoff') AND u.username ~ %s AND c.trust_id = %s"
        " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
        [f"^panel[0-9]+{suffix}$", trust],
    )[0][0]
    # The template case (id under 100 in the first trust) and its copy in a clone.
    case = _owner_rows(
        name,
        "SELECT c.id FROM workflow_case c WHERE c.trust_id = %s AND c.reference = ("
        " SELECT t.reference FROM workflow_case t JOIN panels_panel p ON p.case_id = t.id"
        " WHERE t.stage = 'panel' AND t.id < 100 ORDER BY t.id LIMIT 1)",
        [trust],
    )[0][0]
    people = {
        who: username + suffix
        for who, username in {
            "hr": "hr1",
            "manager": "manager1",
            "governance": "governance",
            "api": "hr1",
        }.items()
    }
    people["member"] = member
    start = (dt.datetime.now(dt.UTC) - DEEP).replace(microsecond=0)
    deep = "?cursor=" + Cursor(AFTER, (start.isoformat(), 2**31 - 1)).encode()
    pages = [
        Page("HR inbox", "hr", reverse("cases:inbox")),
        Page("HR Panels", "hr", reverse("cases:panels")),
        Page("member inbox", "member", reverse("cases:inbox")),
        Page("My panels", "member", reverse("cases:my_panels")),
        Page("case list (HR)", "hr", reverse("cases:list")),
        Page("case list 3y back", "hr", reverse("cases:list") + deep),
        Page("case list (manager)", "manager", reverse("cases:list")),
        Page("API list", "api", reverse("api:referrals"), api=True),
        Page("API list 3y back", "api", reverse("api:referrals") + deep, api=True),
        Page("API detail", "api", reverse("api:referral", args=[case]), api=True),
        Page("case page", "hr", reverse("cases:detail", args=[case])),
        Page("audit search", "hr", reverse("audit:index")),
        Page("governance pack", "governance", reverse("reports:governance")),
    ]
    return pages, people, int(trust)


def _role_check(label: str, wrapper: Any) -> str:
    """Who the connection is, and that row-level security hides every case
    outside a trust (a superuser or BYPASSRLS role would see them all)."""
    database_use(wrapper)
    with wrapper.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, r.rolsuper, r.rolbypassrls,"
            " current_setting('app.trust_id', true), (SELECT count(*) FROM workflow_case)"
            " FROM pg_roles r WHERE r.rolname = current_user"
        )
        user, superuser, bypass, trust, visible = cursor.fetchone()
    if superuser or bypass or visible:
        sys.exit(f"{label}: {user} is not bound by row-level security ({visible} cases visible).")
    return (
        f"{label:<7} {wrapper.settings_dict['NAME']:<22} as {user} (superuser {superuser},"
        f" bypassrls {bypass}); outside a trust ('{trust or ''}') it sees {visible} cases."
    )


def _get(page: Page, wrapper: Any, client: Any) -> tuple[float, int]:
    database_use(wrapper)
    wrapper.ensure_connection()  # connecting is not the page's time
    start = time.perf_counter()
    response = client.get(page.url, HTTP_ACCEPT="application/json" if page.api else "text/html")
    elapsed = time.perf_counter() - start
    return elapsed, response.status_code


def _queries(page: Page, wrapper: Any, client: Any) -> list[dict[str, str]]:
    from django.test.utils import CaptureQueriesContext

    database_use(wrapper)
    with CaptureQueriesContext(wrapper) as ctx:
        client.get(page.url, HTTP_ACCEPT="application/json" if page.api else "text/html")
    return list(ctx.captured_queries)


def _measure(page: dict[str, Page], wrappers: dict[str, Any], clients: dict[str, Any]) -> bool:
    labels = list(SHAPES)
    samples: dict[str, list[float]] = {label: [] for label in labels}
    statuses: set[int] = set()
    for label in labels:  # warm-up
        _get(page[label], wrappers[label], clients[label][page[label].who])
    for i in range(REPEAT):
        order = labels[i % 3 :] + labels[: i % 3]
        for label in order if i % 2 == 0 else order[::-1]:
            elapsed, status = _get(page[label], wrappers[label], clients[label][page[label].who])
            samples[label].append(elapsed)
            statuses.add(status)
    queries = {
        label: len(_queries(page[label], wrappers[label], clients[label][page[label].who]))
        for label in labels
    }
    ms = {label: statistics.median(samples[label]) * 1000 for label in labels}
    vs_single, vs_small = ms["multi"] / ms["single"], ms["multi"] / ms["small"]
    fast = vs_small <= LIMIT or ms["multi"] - ms["small"] <= SLACK_MS
    ok = fast and len(set(queries.values())) == 1 and statuses == {200}
    note = "" if statuses == {200} else f"  status {sorted(statuses)}"
    counts = "/".join(str(queries[label]) for label in labels)
    print(
        f"{page['small'].label:<22}{ms['small']:>8.1f}{ms['single']:>8.1f}{ms['multi']:>8.1f}"
        f"{vs_single:>8.2f}x{vs_small:>8.2f}x{counts:>15}  {'PASS' if ok else 'FAIL'}{note}"
    )
    return ok


def _explain(pages: list[Page], wrapper: Any, clients: dict[str, Any], trust: int) -> None:
    """Each page's slowest query in the multi-trust database, explained."""
    from tenancy.context import trust_entered

    print("\nPlans of each page's slowest query (multi, as the application role, in the trust):")
    for page in pages:
        captured = [
            q
            for q in _queries(page, wrapper, clients[page.who])
            if q["sql"].startswith("SELECT") and "set_config" not in q["sql"]
        ]
        slowest = max(captured, key=lambda q: float(q["time"]))
        database_use(wrapper)
        with trust_entered(trust), wrapper.cursor() as cursor:
            cursor.execute(
                "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + slowest["sql"]
            )
            plan = [row[0] for row in cursor.fetchall()]
        scans = [line.strip() for line in plan if "Scan" in line]
        print(f"- {page.label} ({float(slowest['time']) * 1000:.1f} ms): {slowest['sql'][:110]}")
        for line in scans[:8]:
            print(f"    {line}")


if __name__ == "__main__":
    main()
