"""Row-level security, met as the application meets it: a raw connection as
the application's role (not through Django, so no ORM filter can help)
that names trust A sees, changes and writes nothing of trust B's, in every
table that holds a trust's rows (ADR 0020, docs/tenancy.md).

Both trusts' worlds (tests/security/world.py: cases at every stage, panels,
declarations, views, decisions, sign-offs, notifications, deliveries,
audit events, headcounts...) are committed first (a transactional test), so
the raw connection sees them. The tables are read from pg_catalog, so a
table added later is checked too; it must then hold rows of both trusts in
the world, or this test fails until it does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test import override_settings
from psycopg import sql

from panels.models import DecisionGuideAnswers, PanelDecision, PoolMember, StaffNetwork
from tenancy.checks import unprotected_tables
from tenancy.context import trust_entered
from tenancy.models import Trust

from ..db_roles import APP_ROLE, as_owner
from ..security.world import World, build_worlds

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-level security is PostgreSQL's"
)

# Every table known to hold a trust's rows. A table the catalogue shows with
# a trust_id column is checked whether listed or not; these must be there.
EXPECTED = {
    "accounts_delegation",
    "assurance_action",
    "assurance_answer",
    "assurance_evidencedocument",
    "assurance_question",
    "assurance_questionversion",
    "audit_auditevent",
    "casefile_document",
    "casefile_documentversion",
    "casefile_casenote",
    "letters_letter",
    "letters_letterhead",
    "letters_lettertemplate",
    "notifications_delivery",
    "notifications_notification",
    "notifications_schedulednotice",
    "panels_declaration",
    "panels_decisionguideanswers",
    "panels_meetingattendance",
    "panels_panel",
    "panels_paneldecision",
    "panels_panelmeeting",
    "panels_panelmembership",
    "panels_panelview",
    "panels_poolmember",
    "panels_poolmember_networks",
    "panels_staffnetwork",
    "reports_earlywarningalert",
    "reports_earlywarningrow",
    "reports_earlywarningsnapshot",
    "reports_headcount",
    "reports_referralhistory",
    "reports_historicalentry",
    "speakup_concern",
    "speakup_concernmessage",
    "staff_employee",
    "staff_orgunit",
    "suspensions_suspension",
    "suspensions_suspensionreview",
    "viewflow_process",
    "viewflow_task",
    "voice_accountlink",
    "voice_employeeaccount",
    "voice_employeetold",
    "wellbeing_checkin",
    "wellbeing_checkinschedule",
    "wellbeing_supportservice",
    "workflow_case",
    "workflow_casestep",
    "workflow_justcultureassessment",
    "workflow_referencecounter",
    "workflow_signoff",
}

TRUST_TABLES_SQL = """
SELECT c.relname
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'trust_id' AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'p')
ORDER BY c.relname
"""
# The deployment's own audit chain (events of no trust) is the one exception
# to "no trust, no rows": its rows are seen only outside every trust.
NULLABLE_TRUST = {"audit_auditevent"}
# Tables whose own triggers refuse every change of a row (append-only
# records) before the policy is asked: moving a row to another trust is
# refused either way.
APPEND_ONLY = {
    "assurance_questionversion",
    "audit_auditevent",
    "casefile_casenote",
    "casefile_document",
    "casefile_documentversion",
    "panels_declaration",
    "panels_paneldecision",
    "panels_panelview",
    "suspensions_suspensionreview",
    "voice_employeeaccount",
    "voice_employeetold",
    "wellbeing_checkin",
    "workflow_signoff",
}
# Tables whose triggers refuse a copied row on their own grounds first (a
# sign-off for a case already decided; a formal process for a case the
# trust cannot see in stage formal): the insert is refused either way.
GUARDED_INSERT = {"workflow_signoff", "formal_formalprocess"}
REFUSED = psycopg.errors.InsufficientPrivilege
BY_TRIGGER = (REFUSED, psycopg.errors.CheckViolation, psycopg.errors.RaiseException)


def _connect(user: str) -> psycopg.Connection[Any]:
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=user,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        autocommit=True,
    )


def _set_trust(conn: psycopg.Connection[Any], trust_id: int | None) -> None:
    value = "" if trust_id is None else str(trust_id)
    conn.execute("SELECT set_config('app.trust_id', %s, false)", [value])


def _one(conn: psycopg.Connection[Any], query: Any, params: Any = None) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


@pytest.fixture
def worlds(transactional_db: None, django_db_serialized_rollback: None) -> World:
    """Both trusts' worlds, committed; and a staff network with a member in
    each trust, so that every table holds rows of both."""
    with (
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        trust_entered(None),
    ):
        world = build_worlds()
        assert world.other is not None
        for w in (world, world.other):
            with trust_entered(w.trust):
                network = StaffNetwork.objects.create(code="race", name=f"{w.tag} network")
                for member in PoolMember.objects.all():
                    member.networks.add(network)
                # The panel's own just culture answers, on each decision.
                for decision in PanelDecision.objects.all():
                    DecisionGuideAnswers.objects.create(decision=decision, outcome="A", q1a=False)
    return world


@pytest.fixture
def owner(
    transactional_db: None, django_db_serialized_rollback: None
) -> Iterator[psycopg.Connection[Any]]:
    """A raw connection as the tables' owner, whom row-level security does
    not bind: to count what is really there."""
    from django.conf import settings

    migrate = settings.DATABASE_MIGRATE or {}
    conn = _connect(migrate.get("USER") or "postgres")
    yield conn
    conn.close()


@pytest.fixture
def app() -> Iterator[psycopg.Connection[Any]]:
    conn = _connect(APP_ROLE)
    yield conn
    conn.close()


def test_the_application_role_is_bound_by_row_level_security(
    app: psycopg.Connection[Any], db: None
) -> None:
    assert _one(app, "SELECT current_user") == APP_ROLE
    row = app.execute(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [APP_ROLE]
    ).fetchone()
    assert row == (False, False)
    # It owns no table (an owner is not bound by a policy it is not forced to).
    owned = _one(
        app,
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND pg_get_userbyid(c.relowner) = %s",
        [APP_ROLE],
    )
    assert owned == 0


def test_every_table_with_a_trust_column_has_the_policy(db: None) -> None:
    assert unprotected_tables() == []


def test_trust_a_sees_changes_and_writes_nothing_of_trust_b_in_any_table(
    worlds: World, app: psycopg.Connection[Any], owner: psycopg.Connection[Any]
) -> None:
    assert worlds.other is not None
    a, b = worlds.trust.pk, worlds.other.trust.pk
    tables = [r[0] for r in app.execute(TRUST_TABLES_SQL).fetchall()]
    assert set(tables) >= EXPECTED, sorted(EXPECTED - set(tables))
    failures: list[str] = []
    checked = []
    for table in tables:
        try:
            _table_isolated(app, owner, table, a, b)
            checked.append(table)
        except (AssertionError, psycopg.Error) as exc:
            failures.append(f"{table}: {type(exc).__name__}: {exc}".splitlines()[0])
            if app.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                app.rollback()
            _set_trust(app, None)
            app.execute("DROP TABLE IF EXISTS pg_temp.probe")
    assert failures == [], "\n".join(failures)
    assert set(checked) == set(tables)
    # Nothing was written by any of it.
    for table in tables:
        after = dict(
            owner.execute(
                sql.SQL("SELECT trust_id, count(*) FROM {} GROUP BY trust_id").format(
                    sql.Identifier(table)
                )
            ).fetchall()
        )
        assert after.get(a, 0) > 0, table
        assert after.get(b, 0) > 0, table


def _table_isolated(
    app: psycopg.Connection[Any], owner: psycopg.Connection[Any], table: str, a: int, b: int
) -> None:
    """Trust A's raw session in ``table``: none of B's rows read, changed or
    written; with no trust, none read or written; trust B's, none of A's."""
    t = sql.Identifier(table)
    # What is really there: rows of both trusts (the owner is not bound).
    there = dict(
        owner.execute(
            sql.SQL("SELECT trust_id, count(*) FROM {} GROUP BY trust_id").format(t)
        ).fetchall()
    )
    assert there.get(a, 0) > 0, (table, there)
    assert there.get(b, 0) > 0, (table, there)
    columns = [
        r[0]
        for r in app.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s "
            "AND column_name <> 'id' AND is_generated = 'NEVER' ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    as_b = sql.SQL(", ").join(
        sql.Literal(b) if c == "trust_id" else sql.Identifier(c) for c in columns
    )

    _set_trust(app, a)
    assert _one(app, sql.SQL("SELECT count(*) FROM {} WHERE trust_id = %s").format(t), [b]) == 0
    seen = dict(
        app.execute(
            sql.SQL("SELECT trust_id, count(*) FROM {} GROUP BY trust_id").format(t)
        ).fetchall()
    )
    assert seen == {a: there[a]}, (table, seen)
    # A copy of one of A's rows, kept for the writes below.
    app.execute("DROP TABLE IF EXISTS pg_temp.probe")
    app.execute(
        sql.SQL("CREATE TEMP TABLE probe AS SELECT * FROM {} WHERE trust_id = %s LIMIT 1").format(
            t
        ),
        [a],
    )
    a_row = _one(
        app, sql.SQL("SELECT ctid::text FROM {} WHERE trust_id = %s LIMIT 1").format(t), [a]
    )
    with app.transaction(force_rollback=True):
        changed = app.execute(
            sql.SQL("UPDATE {} SET trust_id = trust_id WHERE trust_id = %s").format(t), [b]
        )
        assert changed.rowcount == 0, table
        gone = app.execute(sql.SQL("DELETE FROM {} WHERE trust_id = %s").format(t), [b])
        assert gone.rowcount == 0, table
    # Writing a row of B's: refused (a copy of A's row, only its trust changed).
    with (
        pytest.raises(BY_TRIGGER if table in GUARDED_INSERT else REFUSED),
        app.transaction(),
    ):
        app.execute(sql.SQL("INSERT INTO {} ({}) SELECT {} FROM probe").format(t, cols, as_b))
    # Moving A's row to B: refused.
    with pytest.raises(BY_TRIGGER if table in APPEND_ONLY else REFUSED), app.transaction():
        app.execute(
            sql.SQL("UPDATE {} SET trust_id = %s WHERE ctid = %s::tid").format(t), [b, a_row]
        )

    # No trust: nothing read, nothing written.
    _set_trust(app, None)
    none_seen = _one(app, sql.SQL("SELECT count(*) FROM {} WHERE trust_id IS NOT NULL").format(t))
    assert none_seen == 0, table
    if table not in NULLABLE_TRUST:
        assert _one(app, sql.SQL("SELECT count(*) FROM {}").format(t)) == 0, table
    with (
        pytest.raises(BY_TRIGGER if table in GUARDED_INSERT else REFUSED),
        app.transaction(),
    ):
        app.execute(sql.SQL("INSERT INTO {} ({}) SELECT {} FROM probe").format(t, cols, cols))
    with app.transaction(force_rollback=True):
        assert app.execute(sql.SQL("UPDATE {} SET trust_id = trust_id").format(t)).rowcount == 0
    app.execute("DROP TABLE pg_temp.probe")

    # And the other way about: B sees none of A's.
    _set_trust(app, b)
    assert _one(app, sql.SQL("SELECT count(*) FROM {} WHERE trust_id = %s").format(t), [a]) == 0
    assert _one(app, sql.SQL("SELECT count(*) FROM {}").format(t)) == there[b]
    _set_trust(app, None)


def test_a_table_with_a_trust_column_and_no_policy_fails_the_check(
    transactional_db: None, django_db_serialized_rollback: None
) -> None:
    """``manage.py check --database default`` (tenancy.E001) refuses a table
    that has a trust_id column but no row-level security policy."""
    call_command("check", "--database", "default")  # as migrated: nothing to report
    with as_owner() as owned, owned.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE tenancy_probe_unprotected (id serial PRIMARY KEY, trust_id bigint)"
        )
    try:
        assert unprotected_tables() == ["tenancy_probe_unprotected"]
        with pytest.raises(SystemCheckError, match=r"tenancy\.E001"):
            call_command("check", "--database", "default")
    finally:
        with as_owner() as owned, owned.cursor() as cursor:
            cursor.execute("DROP TABLE tenancy_probe_unprotected")
    assert unprotected_tables() == []


def test_trusts_are_the_worlds_two(worlds: World) -> None:
    """The worlds above are built in two distinct trusts."""
    assert worlds.other is not None
    assert {worlds.trust.code, worlds.other.trust.code} == {"RAL", "RBX"}
    assert Trust.objects.count() >= 2
