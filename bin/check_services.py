"""Fail loudly, before any test runs, when PostgreSQL or Redis cannot be reached.

Tests never skip for a missing service: with CI=true or not, no service
means no test run.
"""

from __future__ import annotations

import os
import sys

import psycopg
import redis


def main() -> int:
    db_url = os.environ["DATABASE_URL"]
    redis_url = os.environ["REDIS_URL"]
    failures = []
    try:
        # Connect to the server's maintenance database: the test database is
        # created by the test run itself.
        with psycopg.connect(db_url.rsplit("/", 1)[0] + "/postgres", connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        failures.append(f"PostgreSQL at {db_url}: {exc}")
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except Exception as exc:
        failures.append(f"Redis at {redis_url}: {exc}")
    for failure in failures:
        print(f"cannot reach {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
