"""Realistic benchmark databases at any size: ``python bench/seed.py --cases 100000``
(``--cases 2500 --trusts 40``: forty trusts of 2,500 cases each).

Builds (or reuses) a PostgreSQL database, ``ftp_scale_<size>`` by default, in
four steps:

1. **Templates through the real services.** The local demo's loader
   (``demo.trust.demo_load``) makes a trust, its staff, a login for every role,
   a panel pool and 34 cases at every stage and with every outcome, each
   acted on by the services with the clock moved back (submit, triage,
   informal resolution, panels convened with declarations, conflicts,
   replacements, views and reasoned decisions, sign-offs approved and
   declined, withdrawals). Every row those cases touch (viewflow processes
   and tasks, step spells, audit events, notifications, deliveries,
   scheduled notices, panels, seats, declarations, views, decisions, guide
   answers, sign-offs) is therefore what the product itself writes.
2. **Copies with set-based SQL.** Each table of the case graph is copied
   with one ``INSERT ... SELECT`` over a table of copies, ids offset by a
   per-table stride, foreign keys offset alike, users and employees remapped
   to their copy's team, and every date and time moved back by the copy's
   shift. Columns are read from the catalogue, so a column added later is
   copied too.
3. **More trusts** (``--trusts N``, ``--cases`` then counts each trust's):
   the first trust, built as above, is cloned set-based into trusts
   ``B002`` to ``B<N>``: every row of every table with a ``trust_id`` (and
   viewflow's task links) copied with its key moved up by a per-table
   stride, its references to the trust's rows moved alike, and its own
   ``trust_id``; the trust's logins are copied too (``hr1-B002``, same
   password) with their memberships. So each trust has its own org units,
   employees, logins, pool, cases and everything under them, the same
   shape as the first, and no row refers to another trust's. The demo
   loads more than one trust: all but ``NB``, the templates' trust, are
   dropped first.
4. ``VACUUM ANALYZE``, and a marker table recording the seed version and
   shape, so that the next run with the same version and shape reuses the
   database. ``VACUUM`` sets the visibility map that index-only scans rely
   on: without it a freshly seeded database is measured while autovacuum
   works through a million new rows, and the governance pack's index-only
   reads fall back to the heap until it has.

What is realistic, and the assumptions behind it:

* **Open work does not grow with history.** The 14 open templates are
  copied ``OPEN_COPIES`` times (350 open cases: about 75 awaiting triage,
  75 in informal resolution, 150 at the panel stage, 50 awaiting sign-off)
  at every size; everything else is the 20 closed templates copied until the
  size is reached. So at 1,000 cases about two thirds are closed, at 100,000
  more than 99 %.
* **Dates spread over ``YEARS`` years**: each closed copy is moved back by a
  deterministic number of days up to eight years; open copies stay within
  the last three months, as in the demo.
* **The panel pool** is sized so that each member sits on about
  ``PANELS_PER_MEMBER_YEAR`` (20) panels a year: a team of five members
  (copies of the demo's five) serves the closed copies in turn, so 100,000
  cases over eight years need about 250 teams (1,250 members) and 1,000
  cases the minimum of five. The open copies always go to the first five
  teams in the same way, so a given member has the same open seats at
  every size and only their history grows.
* **Referring managers** come in teams of three (copies of the demo's
  three), about four closed copies (some 25 cases over the years) each;
  **employees** in groups of 40 (copies of the demo's staff, with their line
  management), so 100,000 cases are about 20,000 employees, each referred
  about five times over eight years. The 1,000-case database has 200.
* HR advisers, the decision-maker and the governance viewer are the demo's
  few people at every size: they see everything, as in a real trust.

**The audit chain of a seeded database does not verify.** Copied events keep
the template's hashes and ``prev_hash``; recomputing a keyed chain over
millions of rows is what ``bench/audit_verify.py`` measures, not what these
pages need. Nothing in the pages benchmarked verifies the chain (events
appended while benchmarking chain on from the last one as usual).

Every tenant table has row-level security (ADR 0020). The seeder connects
as the owner of the tables (``DATABASE_URL``'s login, a superuser), which the
policies do not bind, and writes every row's ``trust_id`` itself.
``bench/tenants.py`` then reads as the application's role, which they do.

Copying runs under ``session_replication_role = replica``, which switches off
triggers (the invariant's and the audit log's append-only ones) and foreign-key
checks for the seeding session only: acceptable only because the database is
throwaway and every copy is consistent by construction (it is a copy of rows
the services wrote, with every reference moved together).

Every login's password is the demo's, ``demo-pass-2026``.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# 2: databases are vacuumed when built (and after migrations on reuse).
# 3: employees have an email column (single sign-on links by it).
# 4: trusts (ADR 0020): every tenant row has a trust_id, roles are
#    memberships, and a database may hold several trusts (--trusts).
# 5: memberships name their trust in for_trust_id (not a tenant table), and a
#    notification is once per trust, event and recipient.
SEED_VERSION = 5
# The demo trust whose cases are the templates: the first trust of every
# database (the demo's other trusts are dropped once loaded).
TEMPLATE_CODE = "NB"
OPEN_COPIES = 25  # copies of the 14 open templates, the demo's own included
YEARS = 8
PANELS_PER_MEMBER_YEAR = 20
OPEN_TEAMS = 5  # teams (of managers and panel members) that hold the open work
CLOSED_COPIES_PER_MANAGER_TEAM = 4
CLOSED_COPIES_PER_EMPLOYEE_GROUP = 10
PASSWORD = "demo-pass-2026"  # noqa: S105 - the published demo password, benchmark only
TERMINAL = ["closed", "formal"]

# How a row of each case-graph table reaches its case: an SQL expression over
# the row ``t``. Tables are copied in this order.
CASE_OF: dict[str, str] = {
    "viewflow_process": "(SELECT c.id FROM workflow_case c WHERE c.process_id = t.id)",
    "viewflow_task": "(SELECT c.id FROM workflow_case c WHERE c.process_id = t.process_id)",
    "viewflow_task_previous": (
        "(SELECT c.id FROM workflow_case c JOIN viewflow_task k ON k.process_id = c.process_id"
        " WHERE k.id = t.from_task_id)"
    ),
    "workflow_case": "t.id",
    "workflow_justcultureassessment": "t.case_id",
    "workflow_casestep": "t.case_id",
    "panels_panel": "t.case_id",
    "panels_panelmembership": "(SELECT p.case_id FROM panels_panel p WHERE p.id = t.panel_id)",
    "panels_declaration": (
        "(SELECT p.case_id FROM panels_panel p JOIN panels_panelmembership m"
        " ON m.panel_id = p.id WHERE m.id = t.membership_id)"
    ),
    "panels_panelview": (
        "(SELECT p.case_id FROM panels_panel p JOIN panels_panelmembership m"
        " ON m.panel_id = p.id WHERE m.id = t.membership_id)"
    ),
    "panels_paneldecision": "t.case_id",
    "panels_decisionguideanswers": (
        "(SELECT d.case_id FROM panels_paneldecision d WHERE d.id = t.decision_id)"
    ),
    "workflow_signoff": "t.case_id",
    "audit_auditevent": "t.case_id",
    "notifications_notification": "t.case_id",
    "notifications_delivery": (
        "(SELECT n.case_id FROM notifications_notification n WHERE n.id = t.notification_id)"
    ),
    "notifications_schedulednotice": (
        "(SELECT s.case_id FROM workflow_casestep s WHERE s.id = t.step_id)"
    ),
}


@dataclass(frozen=True)
class Plan:
    """How many copies of what, and how many teams and groups serve them."""

    cases: int
    closed_copies: int
    pool_teams: int
    manager_teams: int
    employee_groups: int


def plan_for(cases: int, open_templates: int = 14, closed_templates: int = 20) -> Plan:
    """The copies and teams for about ``cases`` cases (never fewer open ones)."""
    open_cases = OPEN_COPIES * open_templates
    closed = max(0, -(-(cases - open_cases) // closed_templates))  # ceiling
    # Seats per closed copy of the demo's templates: about 40 among five members.
    seats_per_member_copy = 8
    pool = round(seats_per_member_copy * closed / (PANELS_PER_MEMBER_YEAR * YEARS))
    pool_teams = max(OPEN_TEAMS, pool)
    managers = max(OPEN_TEAMS, -(-closed // CLOSED_COPIES_PER_MANAGER_TEAM))
    groups = max(pool_teams, -(-closed // CLOSED_COPIES_PER_EMPLOYEE_GROUP))
    return Plan(cases, closed, pool_teams, managers, groups)


def database_url(name: str) -> str:
    """``DATABASE_URL`` (or the test default) with its database name replaced."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ftp")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/" + name))


def default_name(cases: int, trusts: int = 1) -> str:
    """``ftp_scale_100k``, or ``ftp_scale_40x2500`` for 40 trusts of 2,500 cases.

    ``BENCH_DB_PREFIX`` replaces ``ftp_scale`` (to keep one person's
    databases apart from another's on a shared server)."""
    prefix = os.environ.get("BENCH_DB_PREFIX", "ftp_scale")
    if trusts > 1:
        return f"{prefix}_{trusts}x{cases}"
    return f"{prefix}_{cases // 1000}k" if cases % 1000 == 0 else f"{prefix}_{cases}"


def ensure(cases: int, name: str | None = None, *, rebuild: bool = False, trusts: int = 1) -> str:
    """Build the database unless one of this version and shape exists; its name.

    Runs the seeder in a subprocess, so that the caller's Django connection
    (configured for another database, or none) is left alone.
    """
    import subprocess

    name = name or default_name(cases, trusts)
    command = [sys.executable, str(Path(__file__)), "--cases", str(cases), "--name", name]
    command += ["--trusts", str(trusts)]
    subprocess.run([*command, *(["--rebuild"] if rebuild else [])], check=True)  # noqa: S603
    return name


# --- the seeding process ------------------------------------------------------


def sql(statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall() if cursor.description else []


def _admin(statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """A statement on the server's maintenance database (create, drop, look up)."""
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def _existing_marker(name: str) -> tuple[int, int, int] | None:
    """The (version, cases per trust, trusts) a previous build recorded, or None."""
    import psycopg

    if not _admin("SELECT 1 FROM pg_database WHERE datname = %s", [name]):
        return None
    with psycopg.connect(database_url(name), autocommit=True) as conn:
        found = conn.execute("SELECT to_regclass('bench_seed_marker')").fetchone()
        if not found or found[0] is None:
            return None
        columns = conn.execute(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_name = 'bench_seed_marker' AND column_name = 'trusts'"
        ).fetchone()
        trusts = "trusts" if columns and columns[0] else "1"
        row = conn.execute(f"SELECT version, cases, {trusts} FROM bench_seed_marker").fetchone()  # noqa: S608
        return (int(row[0]), int(row[1]), int(row[2])) if row else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000, help="cases (in each trust)")
    parser.add_argument("--trusts", type=int, default=1, help="trusts, each with --cases cases")
    parser.add_argument(
        "--name", default=None, help="database name (ftp_scale_<size>, ftp_scale_<trusts>x<cases>)"
    )
    parser.add_argument("--rebuild", action="store_true", help="drop and build again")
    args = parser.parse_args()
    if not 400 <= args.cases <= 5_000_000:
        parser.error("--cases must be between 400 and 5,000,000")
    if not 1 <= args.trusts <= 500:
        parser.error("--trusts must be between 1 and 500")
    name = args.name or default_name(args.cases, args.trusts)
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", name):
        parser.error("--name must be lower-case letters, digits and underscores")
    os.environ["DATABASE_URL"] = database_url(name)
    os.environ.setdefault("FTP_ENV", "test")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
    marker = _existing_marker(name)
    if marker is None and _admin("SELECT 1 FROM pg_database WHERE datname = %s", [name]):
        # Only a database this script built is ever dropped.
        sys.exit(f"{name} exists and was not built by bench/seed.py: choose another --name.")
    shape = f"{args.cases:,} cases" + (
        f" in each of {args.trusts} trusts" if args.trusts > 1 else ""
    )
    if not args.rebuild and marker == (SEED_VERSION, args.cases, args.trusts):
        print(f"{name}: reusing (seed version {SEED_VERSION}, {shape}).")
        _migrate_reused()
        return
    started = time.perf_counter()
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    # The templates' notifications are delivered as they happen (in process,
    # into a memory outbox), not queued for a worker that will never come.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    build(args.cases, args.trusts)
    print(f"{name}: built {shape} in {time.perf_counter() - started:.0f} s.")


def _setup() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _migrate_reused() -> None:
    """Apply migrations added since the build (new indexes above all), so the
    pages are measured with the schema of the code that serves them."""
    _setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        call_command("migrate", verbosity=0)
        sql("VACUUM ANALYZE")
        print("  applied " + ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending))


def build(cases: int, trusts: int = 1) -> None:
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.FTP_DEMO_DATA_ALLOWED = True  # this throwaway database only
    from demo.reports import demo_reports_load
    from demo.trust import demo_load
    from tenancy.context import trust_entered
    from tenancy.models import Trust
    from tenancy.services import trust_add

    demo_load()
    template = Trust.objects.get(code=TEMPLATE_CODE)
    with trust_entered(template):
        demo_reports_load(TEMPLATE_CODE)
    sql("SET session_replication_role = replica")
    _others_drop(template.pk)
    sql("SET session_replication_role = DEFAULT")
    # Clones are made as trusts are (their policy with them), then filled below.
    clones = [
        trust_add(code=clone_code(k), name=f"Bench Trust {k}").pk for k in range(2, trusts + 1)
    ]
    plan = plan_for(cases)
    # The seeding connection is the owner (a superuser), which row-level
    # security does not bind; every row is written with its trust_id explicitly.
    sql("SET session_replication_role = replica")
    _plan_tables(plan)
    _copy_people(plan)
    for table in CASE_OF:
        _copy_table(table)
    _fix_up()
    sql("DROP TABLE bench_copy, bench_tpl, bench_stride")
    if clones:
        _clone_trusts(template.pk, clones)
    sql("SET session_replication_role = DEFAULT")
    sql("CREATE TABLE bench_seed_marker (version int, cases int, trusts int, built_at timestamptz)")
    sql("INSERT INTO bench_seed_marker VALUES (%s, %s, %s, now())", [SEED_VERSION, cases, trusts])
    sql("VACUUM ANALYZE")
    _summary(plan, trusts)


def _plan_tables(plan: Plan) -> None:
    """bench_tpl (each template row's case and whether it is open), bench_copy
    (each copy: open or closed, its shift in days and its teams) and
    bench_stride (each table's id offset per copy)."""
    sql("CREATE TABLE bench_tpl (tbl text, id bigint, case_id bigint, open bool)")
    for table, case_of in CASE_OF.items():
        sql(
            f"INSERT INTO bench_tpl SELECT %s, t.{_key(table)}, {case_of}, NULL FROM {table} t",  # noqa: S608
            [table],
        )
    sql(
        "UPDATE bench_tpl b SET open = c.stage <> ALL(%s) FROM workflow_case c "
        "WHERE c.id = b.case_id",
        [TERMINAL],
    )
    sql(
        "CREATE TABLE bench_copy (k int PRIMARY KEY, open bool, shift int, team int, "
        "mteam int, egroup int)"
    )
    # Open copies 1..24 (the demo's own cases are copy 0): the first five teams,
    # shifted back up to three weeks. Closed copies: every team in turn, spread
    # deterministically over the years.
    sql(
        "INSERT INTO bench_copy SELECT k, true, (k * 3) %% 21, k %% %s, k %% %s, k %% %s "
        "FROM generate_series(1, %s) k",
        [OPEN_TEAMS, OPEN_TEAMS, OPEN_TEAMS, OPEN_COPIES - 1],
    )
    first = OPEN_COPIES
    sql(
        "INSERT INTO bench_copy SELECT k, false, 14 + (k * 7919) %% %s, k %% %s, k %% %s, "
        "k %% %s FROM generate_series(%s, %s) k",
        [
            YEARS * 365 - 14,
            plan.pool_teams,
            plan.manager_teams,
            plan.employee_groups,
            first,
            first + plan.closed_copies - 2,  # the demo's closed cases count as one copy
        ],
    )
    sql("CREATE TABLE bench_stride (tbl text PRIMARY KEY, stride bigint)")
    for table in [*CASE_OF, "auth_user", "staff_employee"]:
        column = _key(table)
        sql(
            f"INSERT INTO bench_stride SELECT %s, coalesce(max({column}), 0) + 1 FROM {table}",  # noqa: S608
            [table],
        )


@functools.cache
def _stride(table: str) -> int:
    return int(sql("SELECT stride FROM bench_stride WHERE tbl = %s", [table])[0][0])


def _usernames(prefix: str) -> list[int]:
    rows = sql("SELECT id FROM auth_user WHERE username ~ %s ORDER BY id", [f"^{prefix}[0-9]+$"])
    return [r[0] for r in rows]


def _copy_people(plan: Plan) -> None:
    """Teams of panel members and managers (copies of the demo's logins, same
    password, same roles in the same trust), and groups of employees (copies
    of the demo's staff)."""
    users, employees = _stride("auth_user"), _stride("staff_employee")
    for prefix, teams in (("panel", plan.pool_teams), ("manager", plan.manager_teams)):
        ids = _usernames(prefix)
        sql(
            "INSERT INTO auth_user (id, password, last_login, is_superuser, username, first_name,"
            " last_name, email, is_staff, is_active, date_joined)"
            " SELECT u.id + g * %s, u.password, NULL, false, u.username || '-' || lpad(g::text,"
            " 4, '0'), u.first_name, u.last_name || ' ' || g, u.username || '-' || g ||"
            " '@bench.invalid', false, true, u.date_joined FROM auth_user u,"
            " generate_series(1, %s) g WHERE u.id = ANY(%s)",
            [users, teams - 1, ids],
        )
        sql(
            "INSERT INTO accounts_membership (user_id, for_trust_id, role, given_at)"
            " SELECT m.user_id + g * %s, m.for_trust_id, m.role, m.given_at"
            " FROM accounts_membership m, generate_series(1, %s) g WHERE m.user_id = ANY(%s)",
            [users, teams - 1, ids],
        )
    panel_ids = _usernames("panel")
    sql(
        "INSERT INTO staff_employee (id, trust_id, staff_number, name, job_title, band,"
        " ethnic_category, line_manager_id, org_unit_id, user_id, email)"
        " SELECT e.id + g * %(es)s, e.trust_id, 'S' || lpad((e.id + g * %(es)s)::text, 8, '0'),"
        " (%(first)s::text[])[1 + (e.id * 7 + g) %% 20] || ' '"
        " || (%(last)s::text[])[1 + (e.id + g * 3) %% 20],"
        " e.job_title, e.band, e.ethnic_category, e.line_manager_id + g * %(es)s, e.org_unit_id,"
        " CASE WHEN e.user_id = ANY(%(panel)s) AND g < %(teams)s THEN e.user_id + g * %(us)s END,"
        " ''"
        " FROM staff_employee e, generate_series(1, %(groups)s) g",
        {
            "es": employees,
            "us": users,
            "first": _names("FIRST_NAMES"),
            "last": _names("SURNAMES"),
            "panel": panel_ids,
            "teams": plan.pool_teams,
            "groups": plan.employee_groups - 1,
        },  # type: ignore[arg-type]
    )
    sql(
        "INSERT INTO panels_poolmember (trust_id, independent_trained_until, away_until, user_id)"
        " SELECT p.trust_id, p.independent_trained_until, NULL, p.user_id + g * %s"
        " FROM panels_poolmember p,"
        " generate_series(1, %s) g",
        [users, plan.pool_teams - 1],
    )
    sql(
        "INSERT INTO panels_poolmember_networks (trust_id, poolmember_id, staffnetwork_id)"
        " SELECT n.trust_id, c.id, n.staffnetwork_id FROM panels_poolmember_networks n"
        " JOIN panels_poolmember p ON p.id = n.poolmember_id"
        " JOIN panels_poolmember c ON (c.user_id - p.user_id) %% %s = 0 AND c.id <> p.id"
        " WHERE c.user_id > p.user_id",
        [users],
    )


def _names(attribute: str) -> list[str]:
    from demo import trust

    return list(getattr(trust, attribute))


def _foreign_keys(table: str) -> dict[str, str]:
    rows = sql(
        "SELECT a.attname, c.confrelid::regclass::text FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " WHERE c.contype = 'f' AND c.conrelid = %s::regclass",
        [table],
    )
    return dict(rows)


def _columns(table: str) -> list[tuple[str, str]]:
    rows = sql(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return [(r[0], r[1]) for r in rows]


def _expression(table: str, column: str, kind: str, references: str | None) -> str:
    """How copy ``c`` of template row ``t`` fills ``column``."""
    panel, managers = _usernames("panel"), _usernames("manager")
    users = _stride("auth_user")
    # A key that is also a reference (a case's assessment, a decision's
    # answers) moves with the row it extends.
    if references in CASE_OF:
        return f"t.{column} + c.k * {_stride(references)}"
    if column == _key(table):
        return f"t.{column} + c.k * {_stride(table)}"
    if references == "auth_user":
        return (
            f"CASE WHEN t.{column} = ANY(ARRAY{panel}::int[]) THEN t.{column} + c.team * {users}"
            f" WHEN t.{column} = ANY(ARRAY{managers}::int[]) THEN t.{column} + c.mteam * {users}"
            f" ELSE t.{column} END"
        )
    if references == "staff_employee":
        return f"t.{column} + c.egroup * {_stride('staff_employee')}"
    if (table, column) == ("audit_auditevent", "seq"):
        return f"t.seq + c.k * {_stride('audit_auditevent')}"
    if column == "event_key":
        return "t.event_key || '~' || c.k"
    if (table, column) == ("workflow_case", "reference"):
        return (
            "'FTP-' || to_char(t.submitted_at - make_interval(days => c.shift), 'YYYY') || '-'"
            f" || lpad((t.id + c.k * {_stride(table)})::text, 6, '0')"
        )
    if kind.startswith("timestamp"):
        return f"t.{column} - make_interval(days => c.shift)"
    if kind == "date":
        return f"t.{column} - c.shift"
    return f"t.{column}"


def _copy_table(table: str) -> None:
    keys = _foreign_keys(table)
    columns = _columns(table)
    names = ", ".join(name for name, _ in columns)
    values = ", ".join(_expression(table, name, kind, keys.get(name)) for name, kind in columns)
    sql(
        f"INSERT INTO {table} ({names}) SELECT {values} FROM {table} t"  # noqa: S608
        f" JOIN bench_tpl b ON b.tbl = %s AND b.id = t.{_key(table)}"
        " JOIN bench_copy c ON c.open = b.open",
        [table],
    )


@functools.cache
def _key(table: str) -> str:
    """The table's one-column primary key (``id``, or the case or decision it extends)."""
    rows = sql(
        "SELECT a.attname FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid"
        " AND a.attnum = c.conkey[1] WHERE c.contype = 'p' AND c.conrelid = %s::regclass",
        [table],
    )
    return str(rows[0][0])


def _fix_up() -> None:
    """Each copy's employee snapshot, old notifications read, the reference
    counter past every copied number, and every id sequence past the copies."""
    sql(
        "UPDATE workflow_case w SET employee_staff_number = e.staff_number,"
        " employee_name = e.name FROM staff_employee e"
        " WHERE e.id = w.employee_id AND w.employee_staff_number <> e.staff_number"
    )
    sql(
        "UPDATE notifications_notification n SET read_at = n.created_at + interval '1 day',"
        " shown_at = coalesce(n.shown_at, n.created_at + interval '1 day')"
        " FROM workflow_case c WHERE c.id = n.case_id AND c.stage = ANY(%s) AND n.read_at IS NULL",
        [TERMINAL],
    )
    sql(
        "UPDATE workflow_referencecounter SET last = (SELECT max(id) FROM workflow_case)"
        " WHERE year = extract(year FROM now())"
    )
    for table in [*CASE_OF, "auth_user", "accounts_membership", "staff_employee"]:
        key = "id" if table.startswith("auth_") else _key(table)
        found = sql("SELECT pg_get_serial_sequence(%s, %s)", [table, key])
        if found and found[0][0]:
            sql(f"SELECT setval(%s, (SELECT max({key}) FROM {table}))", [found[0][0]])  # noqa: S608


# --- more trusts: clones of the first -----------------------------------------


def _others_drop(template: int) -> None:
    """Delete every trust but the template (the demo loads more than one),
    their rows, and the logins that held roles only there."""
    tables = _tenant_tables()
    sql(
        "DELETE FROM viewflow_task_previous p USING viewflow_task k"
        " WHERE k.id = p.from_task_id AND k.trust_id <> %s",
        [template],
    )
    sql(
        "CREATE TEMP TABLE bench_gone AS SELECT DISTINCT user_id AS id FROM accounts_membership"
        " WHERE for_trust_id <> %s"
        " EXCEPT SELECT user_id FROM accounts_membership WHERE for_trust_id = %s",
        [template, template],
    )
    for table in tables:
        if table != "viewflow_task_previous":
            sql(f"DELETE FROM {table} WHERE trust_id <> %s", [template])  # noqa: S608
    for table, column in sql(
        "SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " WHERE c.contype = 'f' AND c.confrelid = 'auth_user'::regclass"
    ):
        sql(f"DELETE FROM {table} WHERE {column} IN (SELECT id FROM bench_gone)")  # noqa: S608
    sql("DELETE FROM auth_user WHERE id IN (SELECT id FROM bench_gone)")
    sql("DELETE FROM accounts_membership WHERE for_trust_id <> %s", [template])
    sql("DELETE FROM tenancy_trustpolicy WHERE for_trust_id <> %s", [template])
    sql("DELETE FROM tenancy_trust WHERE id <> %s", [template])
    sql("DROP TABLE bench_gone")


def clone_code(k: int) -> str:
    """The code of the database's ``k``-th trust (2 and up; the first is the template's)."""
    return f"B{k:03d}"


def _tenant_tables() -> list[str]:
    """Every table with a trust column, and the tables without one that hang
    off them (viewflow's task links): what a trust's data is."""
    rows = sql(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public'"
        " AND column_name = 'trust_id' AND table_name NOT LIKE 'regional%%' ORDER BY 1"
    )
    return [r[0] for r in rows] + ["viewflow_task_previous"]


def _clone_trusts(template: int, clones: list[int]) -> None:
    """Copy every row of the template trust into each clone trust, set-based.

    Clone ``k`` (1, 2, ...) of a row has its key moved up by ``k`` times its
    table's stride (the table's largest key plus one), and so have its
    references to rows of the trust; the trust's logins are copied too (name
    ``<username>-B002``, same password) with their memberships, and the rows
    refer to their own trust's copies. Rows of no trust (the deployment's
    audit chain, the superuser) are neither copied nor moved. Each trust
    then holds the same people and cases, dates and case references as the
    first, and nothing of another trust.
    """
    tables = _tenant_tables()
    sql("CREATE TABLE bench_clone (k int PRIMARY KEY, trust_id bigint)")
    sql(
        "INSERT INTO bench_clone SELECT k, (%s::bigint[])[k] FROM generate_series(1, %s) k",
        [clones, len(clones)],
    )
    sql(
        "CREATE TABLE bench_people AS SELECT DISTINCT user_id AS id FROM accounts_membership"
        " WHERE for_trust_id = %s",
        [template],
    )
    sql("ALTER TABLE bench_people ADD PRIMARY KEY (id)")
    strides = {t: _max_key(t) + 1 for t in [*tables, "auth_user"]}
    users = strides["auth_user"]
    columns = [name for name, _ in _columns("auth_user") if name != "id"]
    values = [
        "t.username || '-' || (SELECT code FROM tenancy_trust WHERE id = c.trust_id)"
        if name == "username"
        else "regexp_replace(t.email, '@', '-' || c.k || '@')"
        if name == "email"
        else f"t.{name}"
        for name in columns
    ]
    sql(
        f"INSERT INTO auth_user (id, {', '.join(columns)})"  # noqa: S608
        f" SELECT t.id + c.k * {users}, {', '.join(values)} FROM auth_user t"
        " JOIN bench_people p ON p.id = t.id CROSS JOIN bench_clone c"
    )
    # Memberships name their trust in for_trust_id (not a tenant table): the
    # clones' people hold the template's roles in their own trust.
    sql(
        "INSERT INTO accounts_membership (user_id, for_trust_id, role, given_at)"
        " SELECT m.user_id + c.k * %s, c.trust_id, m.role, m.given_at"
        " FROM accounts_membership m JOIN bench_people p ON p.id = m.user_id"
        " CROSS JOIN bench_clone c WHERE m.for_trust_id = %s",
        [users, template],
    )
    _drop_seeded_defaults(tables, clones)
    for table in tables:
        keys = _foreign_keys(table)
        names = [name for name, _ in _columns(table)]
        values = [_cloned_value(table, name, keys.get(name), strides) for name in names]
        if "trust_id" in names:
            where = "t.trust_id = %s"
        else:  # viewflow_task_previous: through its task
            where = "(SELECT k.trust_id FROM viewflow_task k WHERE k.id = t.from_task_id) = %s"
        sql(
            f"INSERT INTO {table} ({', '.join(names)})"  # noqa: S608
            f" SELECT {', '.join(values)} FROM {table} t CROSS JOIN bench_clone c WHERE {where}",
            [template],
        )
    for table in [*tables, "auth_user", "accounts_membership"]:
        key = "id" if table in ("auth_user", "accounts_membership") else _key(table)
        found = sql("SELECT pg_get_serial_sequence(%s, %s)", [table, key])
        if found and found[0][0]:
            sql(f"SELECT setval(%s, (SELECT max({key}) FROM {table}))", [found[0][0]])  # noqa: S608
    sql("DROP TABLE bench_clone, bench_people")


# Columns unique across every trust (a calendar invitation's UID): a clone's
# copy gets its clone number appended.
GLOBALLY_UNIQUE = {("panels_panelmeeting", "uid")}


def _drop_seeded_defaults(tables: list[str], clones: list[int]) -> None:
    """A new trust is given its defaults when it is made (its letter templates
    and letterhead: letters/seed.py); the clones take the template's instead."""
    for table in tables:
        if "trust_id" in {name for name, _ in _columns(table)}:
            sql(f"DELETE FROM {table} WHERE trust_id = ANY(%s::bigint[])", [clones])  # noqa: S608


def _cloned_value(table: str, name: str, target: str | None, strides: dict[str, int]) -> str:
    """The SQL for column ``name`` of a clone's copy of a row ``t`` (clone ``c``)."""
    users = strides["auth_user"]
    if name == "trust_id":
        return "c.trust_id"
    if target == "auth_user":
        return (
            f"CASE WHEN t.{name} IN (SELECT id FROM bench_people)"  # noqa: S608
            f" THEN t.{name} + c.k * {users} ELSE t.{name} END"
        )
    if target in strides:  # before the key: a key may extend another row
        return f"t.{name} + c.k * {strides[target]}"
    if name == _key(table):
        return f"t.{name} + c.k * {strides[table]}"
    if (table, name) in GLOBALLY_UNIQUE:
        return f"t.{name} || '-' || c.k"
    return f"t.{name}"


def _max_key(table: str) -> int:
    key = "id" if table == "auth_user" else _key(table)
    return int(sql(f"SELECT coalesce(max({key}), 0) FROM {table}")[0][0])  # noqa: S608


def _summary(plan: Plan, trusts: int = 1) -> None:
    first = "(SELECT min(id) FROM tenancy_trust)"
    stages = sql(
        f"SELECT stage, count(*) FROM workflow_case WHERE trust_id = {first} GROUP BY 1 ORDER BY 1"  # noqa: S608
    )
    pool = sql(f"SELECT count(*) FROM panels_poolmember WHERE trust_id = {first}")[0][0]  # noqa: S608
    employees = sql(f"SELECT count(*) FROM staff_employee WHERE trust_id = {first}")[0][0]  # noqa: S608
    managers = sql(
        "SELECT count(*) FROM auth_user WHERE username LIKE 'manager%%'"
        " AND username NOT LIKE '%%-B%%'"
    )[0][0]
    print(
        (f"{trusts} trusts, each of " if trusts > 1 else "")
        + f"{sum(n for _, n in stages):,} cases ("
        + ", ".join(f"{stage} {n:,}" for stage, n in stages)
        + f"); {employees:,} employees, {managers:,} referring managers, {pool:,} pool members,"
        f" {plan.closed_copies:,} closed copies over {YEARS} years."
    )


if __name__ == "__main__":
    main()
