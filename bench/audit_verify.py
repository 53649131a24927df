"""Benchmark: `verify_audit` over 1,000,000 chained events (`make bench`).

Fills a scratch PostgreSQL database (``<name>_auditbench``, dropped after)
with a valid keyed hash chain (HMAC-SHA256 under the configured audit key,
as ``audit_record`` writes it), computed in Python and loaded with COPY, then
measures in a fresh process each time:

* verification (``audit.verify.verify_log``): events per second and peak
  memory growth;
* the baseline, measured in the same run: streaming the same rows the same
  way without hashing or checking links.

Done at 100,000 and 1,000,000 events: memory must not grow with the log
(the rows are streamed), and the ratio shows what the hashing costs.

    python bench/audit_verify.py [--events 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.test.utils import setup_databases, teardown_databases

from audit.chain import GENESIS, event_hash
from audit.verify import stream_rows, verify_log

COLUMNS = (
    "seq, prev_hash, hash, key_id, case_id, actor_id, at, action, from_stage, to_stage, reason,"
    " payload"
)
ACTIONS = [
    ("triage", "submitted", "panel", "A pattern of similar concerns that needs the panel."),
    ("view_special_category", "", "", ""),
    ("decide", "panel", "closed", "The panel weighed the evidence and the just culture guide."),
    ("export", "", "", ""),
]
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def chained_rows(
    first_seq: int, count: int, prev: str, actors: list[int]
) -> Iterator[tuple[Any, ...]]:
    """``count`` valid events continuing a chain whose last hash is ``prev``."""
    key = settings.FTP_AUDIT_KEYRING.current
    for seq in range(first_seq, first_seq + count):
        action, from_stage, to_stage, reason = ACTIONS[seq % len(ACTIONS)]
        at = START + dt.timedelta(seconds=seq, microseconds=seq % 997)
        payload = {"n": seq, "channel": "web"} if not to_stage else {"outcome": "mediation"}
        actor = actors[seq % len(actors)]
        digest = event_hash(
            key=key,
            prev_hash=prev,
            case_id=None,
            actor_id=actor,
            at=at,
            action=action,
            from_stage=from_stage,
            to_stage=to_stage,
            reason=reason,
            payload=payload,
        )
        yield (seq, prev, digest, key.id, None, actor, at, action, from_stage, to_stage, reason,
               json.dumps(payload))  # fmt: skip
        prev = digest


def fill(first_seq: int, count: int, prev: str, actors: list[int]) -> str:
    """COPY the events in; returns the new last hash."""
    last = prev
    with connection.cursor() as cursor:
        # Django's cursor wraps psycopg's; COPY needs the real one.
        with cursor.cursor.copy(f"COPY audit_auditevent ({COLUMNS}) FROM STDIN") as copy:
            for row in chained_rows(first_seq, count, prev, actors):
                copy.write_row(row)
                last = row[2]
        cursor.execute("ANALYZE audit_auditevent")
    return last


def measure(kind: str) -> dict[str, float]:
    """Run in a child process: walk the log once, report time and memory."""
    before = _current_rss_kb()
    started = time.perf_counter()
    if kind == "verify":
        report = verify_log()
        assert report.intact, str(report)
        events = report.events
    else:
        events = sum(1 for _ in stream_rows())
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"events": events, "seconds": seconds, "rss_growth_kb": peak - before, "rss_kb": peak}


def _current_rss_kb() -> int:
    """Resident memory now (Linux), not the high-water mark of start-up."""
    status = Path("/proc/self/status")
    if not status.exists():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    line = next(ln for ln in status.read_text().splitlines() if ln.startswith("VmRSS:"))
    return int(line.split()[1])


def in_child(kind: str, db: str) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603 - this script, with its own arguments
        [sys.executable, __file__, "--measure", kind, "--db", db],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def report_line(size: int, verify: dict[str, float], base: dict[str, float]) -> str:
    rate, base_rate = verify["events"] / verify["seconds"], base["events"] / base["seconds"]
    return (
        f"  {size:>9,} events: verify {rate:>9,.0f} events/s ({verify['seconds']:5.1f} s), "
        f"peak RSS {verify['rss_kb'] / 1024:5.1f} MB (+{verify['rss_growth_kb'] / 1024:4.1f} MB "
        f"while walking) | baseline stream "
        f"{base_rate:>9,.0f} events/s, +{base['rss_growth_kb'] / 1024:5.1f} MB | "
        f"ratio {verify['seconds'] / base['seconds']:4.2f}x time"
    )


def run(total: int) -> None:
    from django.contrib.auth import get_user_model

    actors = [get_user_model().objects.create(username=f"a{i}").pk for i in range(3)]
    db = connection.settings_dict["NAME"]
    sizes = sorted({min(100_000, total), total})
    print(f"verify_audit over a hash-chained log (PostgreSQL, chunks of 5,000; db {db})")
    done, last = 0, GENESIS
    for size in sizes:
        started = time.perf_counter()
        last = fill(done + 1, size - done, last, actors)
        print(f"  filled to {size:,} events in {time.perf_counter() - started:.1f} s (COPY)")
        done = size
        verify, base = in_child("verify", db), in_child("stream", db)
        assert verify["events"] == base["events"] == size
        print(report_line(size, verify, base))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--measure", choices=["verify", "stream"])
    parser.add_argument("--db")
    args = parser.parse_args()
    db = settings.DATABASES["default"]
    if args.measure:
        db["NAME"] = args.db
        print(json.dumps(measure(args.measure)))
        return
    db["TEST"]["NAME"] = db["NAME"] + "_auditbench"
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        run(args.events)
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
