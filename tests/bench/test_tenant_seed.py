"""The benchmark seeder's multi-trust shape (``bench/seed.py --trusts``):
each trust is whole and its own, row-level security shows the application
role one trust's rows at a time, and building again gives the same data."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db.utils import load_backend

from bench import seed
from tenancy.roles import app_role_grant

ROOT = Path(__file__).resolve().parents[2]
TRUSTS = 3
CASES = 400  # the smallest shape: the open work and one closed copy, per trust
ROLE = "ftp_bench_test_app"


def test_names_and_codes_of_the_multi_trust_shape() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ftp")
    prefix = os.environ.pop("BENCH_DB_PREFIX", None)
    try:
        assert seed.default_name(2_500, 40) == "ftp_scale_40x2500"
        assert seed.default_name(100_000, 1) == "ftp_scale_100k"
        os.environ["BENCH_DB_PREFIX"] = "ftp_bench"
        assert seed.default_name(2_500, 40) == "ftp_bench_40x2500"
    finally:
        os.environ.pop("BENCH_DB_PREFIX", None)
        if prefix is not None:
            os.environ["BENCH_DB_PREFIX"] = prefix
    assert [seed.clone_code(k) for k in (2, 40)] == ["B002", "B040"]


def _owner_url(name: str) -> str:
    """The server's owner login (the URL the suite was started with: the
    suite itself connects as the application role) on database ``name``."""
    db = settings.DATABASES["default"]
    owner = os.environ.get("FTP_TEST_OWNER_ROLE", "postgres")
    return f"postgres://{owner}@{db['HOST']}:{db['PORT']}/{name}"


def _build(name: str, *, rebuild: bool) -> bytes:
    env = {**os.environ, "DATABASE_URL": _owner_url(settings.DATABASES["default"]["NAME"])}
    command = [sys.executable, "bench/seed.py", "--cases", str(CASES), "--trusts", str(TRUSTS)]
    command += ["--name", name, *(["--rebuild"] if rebuild else [])]
    done = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    return done.stdout


def _rows(url: str, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


def _fingerprint(url: str) -> dict[str, Any]:
    """Per trust: each tenant table's rows, and the cases' references, stages
    and outcomes (times are left out: the demo is dated when it is loaded)."""
    tables = [
        r[0]
        for r in _rows(
            url,
            "SELECT relname FROM pg_class WHERE relrowsecurity AND relkind = 'r' ORDER BY 1",
        )
    ]
    found: dict[str, Any] = {}
    for table in tables:
        found[table] = _rows(
            url,
            f"SELECT t.code, count(*) FROM {table} x JOIN tenancy_trust t ON t.id = x.trust_id"  # noqa: S608
            " GROUP BY 1 ORDER BY 1",
        )
    found["cases"] = _rows(
        url,
        "SELECT t.code, md5(string_agg(c.reference || c.stage || coalesce(c.outcome, ''), ','"
        " ORDER BY c.reference)) FROM workflow_case c JOIN tenancy_trust t ON t.id = c.trust_id"
        " GROUP BY 1 ORDER BY 1",
    )
    return found


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[str, bytes]]:
    name = f"{settings.DATABASES['default']['NAME']}_tenantseed"
    try:
        yield name, _build(name, rebuild=True)
    finally:
        with psycopg.connect(_owner_url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_every_trust_is_whole_and_refers_only_to_itself(seeded: tuple[str, bytes]) -> None:
    url = _owner_url(seeded[0])
    trusts = _rows(url, "SELECT code FROM tenancy_trust ORDER BY id")
    assert [t[0] for t in trusts] == [seed.TEMPLATE_CODE, "B002", "B003"]
    found = _fingerprint(url)
    for table, per_trust in found.items():
        if per_trust:  # every trust has the first trust's rows, no more, no fewer
            assert len(per_trust) == TRUSTS, table
            assert len({n for _code, n in per_trust}) == 1, (table, per_trust)
    cases = dict(found["workflow_case"])
    assert cases[seed.TEMPLATE_CODE] >= CASES
    # Each trust's open work is as planned (the first trust is what a
    # one-trust build makes: bench/seed.py builds it first, then clones it).
    stages = _rows(
        url,
        "SELECT t.code, c.stage, count(*) FROM workflow_case c"
        " JOIN tenancy_trust t ON t.id = c.trust_id GROUP BY 1, 2",
    )
    for code in (t[0] for t in trusts):
        at = {stage: n for trust, stage, n in stages if trust == code}
        assert at["submitted"] == at["informal"] == 3 * seed.OPEN_COPIES, code
        assert at["signoff"] == 2 * seed.OPEN_COPIES, code
    references = _rows(
        url, "SELECT count(*), count(DISTINCT (trust_id, reference)) FROM workflow_case"
    )
    assert references[0][0] == references[0][1]
    keys = _rows(
        url,
        "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, ra.attname"
        " FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]"
        " WHERE c.contype = 'f'",
    )
    tenant = {table for table in found if table != "cases"}
    for table, column, target, key in keys:
        missing = _rows(
            url,
            f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL"  # noqa: S608
            f" AND NOT EXISTS (SELECT 1 FROM {target} r WHERE r.{key} = t.{column})",
        )[0][0]
        assert missing == 0, f"{table}.{column}"
        if table in tenant and target in tenant:
            across = _rows(
                url,
                f"SELECT count(*) FROM {table} t JOIN {target} r ON r.{key} = t.{column}"  # noqa: S608
                " WHERE r.trust_id <> t.trust_id",
            )[0][0]
            assert across == 0, f"{table}.{column} refers to another trust's {target}"
        if table in tenant and target == "auth_user":
            strangers = _rows(
                url,
                f"SELECT count(*) FROM {table} t JOIN auth_user u ON u.id = t.{column}"  # noqa: S608
                " WHERE NOT u.is_superuser AND NOT EXISTS (SELECT 1 FROM accounts_membership m"
                f" WHERE m.user_id = u.id AND m.for_trust_id = t.trust_id)",
            )[0][0]
            assert strangers == 0, f"{table}.{column} names someone of another trust"


def _app_role_connection(name: str) -> Any:
    """The seeded database as its owner, as a Django connection (what
    ``tenancy.roles.app_role_grant`` takes)."""
    base = settings.DATABASES["default"]
    owner = os.environ.get("FTP_TEST_OWNER_ROLE", "postgres")
    params = {**base, "NAME": name, "USER": owner, "PASSWORD": ""}
    return load_backend(base["ENGINE"]).DatabaseWrapper(params, "bench-owner")


@pytest.mark.slow
def test_the_application_role_sees_one_trust_at_a_time(
    seeded: tuple[str, bytes], django_db_blocker: Any
) -> None:
    name = seeded[0]
    owner = _app_role_connection(name)
    with django_db_blocker.unblock():  # the seeded database, not the suite's
        with owner.cursor() as cursor:
            cursor.execute(
                f"DO $$ BEGIN CREATE ROLE {ROLE} LOGIN NOSUPERUSER NOBYPASSRLS;"
                " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            )
        app_role_grant(owner, ROLE)
        owner.close()
    url = _owner_url(name)
    expected = _fingerprint(url)
    trusts = dict(_rows(url, "SELECT code, id FROM tenancy_trust"))
    db = settings.DATABASES["default"]
    app = f"postgres://{ROLE}@{db['HOST']}:{db['PORT']}/{name}"
    with psycopg.connect(app, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM workflow_case").fetchone() == (0,)
        for code, trust_id in trusts.items():
            conn.execute("SELECT set_config('app.trust_id', %s, false)", [str(trust_id)])
            for table, per_trust in expected.items():
                if table == "cases" or not per_trust:
                    continue
                seen = conn.execute(
                    f"SELECT count(*), count(*) FILTER (WHERE trust_id <> %s) FROM {table}",  # noqa: S608
                    [trust_id],
                ).fetchone()
                assert seen == (dict(per_trust)[code], 0), (code, table)


@pytest.mark.slow
def test_seeding_again_reuses_and_building_again_gives_the_same_trusts(
    seeded: tuple[str, bytes],
) -> None:
    name, first_output = seeded
    url = _owner_url(name)
    before = _fingerprint(url)
    assert b"3 trusts, each of" in first_output
    assert b"reusing" in _build(name, rebuild=False)
    _build(name, rebuild=True)
    assert _fingerprint(url) == before
    cases = dict(before["cases"])
    assert len(set(cases.values())) == 1  # the clones' cases are the first trust's
