"""Run the suite as two pytest processes at once, one per core.

The machine the suite runs on has two cores and the suite spends most of its
time in Python (one core), so two processes nearly halve it. Each process has
its own test database and its own Redis databases, so nothing one does (a
flush, a cleared login-failure cache, a task on the broker that a real
worker picks up) can reach the other:

* ``services``: the browser journeys (Chromium), operations (backups, a
  private Redis or PostgreSQL stopped and started, metrics across server
  processes), the permission matrix and the rest of the security tests,
  accounts and settings (a real gunicorn), and the API tests; on
  ``DATABASE_URL`` and ``REDIS_URL`` / ``REDIS_CACHE_URL`` as given.
* ``domain``: everything else, the notifications' real Celery workers and
  private Redis among them (which balance the two parts); on the same server
  with ``_b`` added to the database name and the Redis database numbers
  moved down by two.

Given arguments (``make test PYTEST_ARGS=tests/workflow``), it runs one
pytest with them instead. Each part's output goes to ``artefacts/tests/``
and is printed when the part ends; the last line is the total, as
``N passed, N failed``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--durations=60"]
SERVICES = [
    "tests/browser",
    # Operations: backups and restores, a stopped Redis or PostgreSQL of its own,
    # metrics across several server processes.
    "tests/ops",
    "tests/security",
    "tests/accounts",
    "tests/config",
    # Not services, but about as long as the rest put together: it balances the parts.
    "tests/api",
]
COUNTS = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


def _moved(url: str, *, db_suffix: str = "", redis_shift: int = 0) -> str:
    parts = urlsplit(url)
    path = parts.path
    if db_suffix:
        path = f"{path}{db_suffix}"
    if redis_shift:
        number = int(path.strip("/") or 0) - redis_shift
        if number < 0:
            raise SystemExit(f"Cannot move {url} down by {redis_shift} Redis databases.")
        path = f"/{number}"
    return urlunsplit(parts._replace(path=path))


def _domain_env() -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = _moved(env["DATABASE_URL"], db_suffix="_b")
    env["REDIS_URL"] = _moved(env["REDIS_URL"], redis_shift=2)
    env["REDIS_CACHE_URL"] = _moved(env["REDIS_CACHE_URL"], redis_shift=2)
    return env


def _parts() -> list[tuple[str, list[str], dict[str, str]]]:
    others = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "tests").iterdir()
        if p.is_dir() and not p.name.startswith("__") and str(p.relative_to(ROOT)) not in SERVICES
    )
    loose = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_*.py"))
    return [
        ("services", SERVICES, dict(os.environ)),
        ("domain", others + loose, _domain_env()),
    ]


def _total(outputs: list[str]) -> dict[str, int]:
    total: dict[str, int] = {}
    for text in outputs:
        lines = [ln for ln in text.splitlines() if ln.startswith("=") and " in " in ln]
        for number, word in COUNTS.findall(lines[-1] if lines else ""):
            key = "errors" if word.startswith("error") else word
            total[key] = total.get(key, 0) + int(number)
    return total


def main(args: list[str]) -> int:
    if args:
        # The developer's own arguments to their own pytest: nothing untrusted.
        return subprocess.call([*PYTEST, *args], cwd=ROOT)  # noqa: S603
    logs = ROOT / "artefacts" / "tests"
    logs.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    running = []
    for name, paths, env in _parts():
        log = (logs / f"{name}.log").open("w")
        proc = subprocess.Popen(  # noqa: S603 (a fixed command line)
            [*PYTEST, *paths], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        running.append((name, proc, log))
    codes, outputs = [], []
    for name, proc, log in running:
        codes.append(proc.wait())
        log.close()
        text = (logs / f"{name}.log").read_text()
        outputs.append(text)
        print(f"\n===== {name} (exit {codes[-1]}) =====\n{text}", flush=True)
    total = _total(outputs)
    failed = total.get("failed", 0) + total.get("errors", 0)
    minutes = (time.monotonic() - started) / 60
    print(f"\nBoth parts in {minutes:.1f} min.")
    print(f"{total.get('passed', 0)} passed, {failed} failed")
    # pytest's 5 (no tests collected) is a failure too: a part that ran nothing is wrong.
    return 0 if all(code == 0 for code in codes) and failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
