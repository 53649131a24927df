"""Anchors: a chain's head, recorded outside the database by every check.

An anchor is the chain it is of (the trust's code; null for the
deployment chain), the head event's seq and hash, the number of events, the
time and the id of the key the check ran with. It is appended as one JSON
line to ``FTP_AUDIT_ANCHOR_FILE`` (read back by the next check of the same
chain) and emailed to ``FTP_AUDIT_ANCHOR_EMAILS`` (kept by people, checked by
hand with ``verify_audit --trust CODE --expect SEQ:HASH``). Never a secret,
name or case content. Every chain's anchors share the one file; a line
written before chains were per trust (no ``trust``) is the anchor of the one
chain there was, which the upgrade made the chain of the trust
``FTP_TRUST_CODE`` (``tenancy`` migration 0002).

The next check of a chain compares it with its last anchor in the file: the
anchored event must still be there with the same hash, the log must not be
shorter, and every event after it must be keyed. That finds what the chain
alone cannot: a log emptied (TRUNCATE), its tail cut off, or every hash
recomputed (by someone holding the key, or as unkeyed events). It does not
find changes to events appended since the last anchor if the whole tail is
recomputed with the key, nor help if the anchor file itself is rewritten:
keep it where the database's administrators cannot write (README).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail

from .verify import Breakage, Kind, Report, check_anchor

HASH = re.compile(r"^[0-9a-f]{64}$")
FIELDS = ("trust", "head_seq", "head_hash", "events", "at", "key_id")
# The fields of a line written before chains were per trust.
LEGACY_FIELDS = ("head_seq", "head_hash", "events", "at", "key_id")


class AnchorFileError(Exception):
    """The anchor file cannot be read back as anchors this module wrote."""


@dataclasses.dataclass(frozen=True)
class Anchor:
    # The chain: its trust's code, or None for the deployment chain.
    trust: str | None
    head_seq: int
    head_hash: str
    events: int
    at: str  # ISO 8601, UTC
    key_id: str

    def line(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True, separators=(",", ":"))

    @property
    def expect(self) -> str:
        """The form ``verify_audit --expect`` takes."""
        return f"{self.head_seq}:{self.head_hash}"


def anchor_from_report(report: Report, *, trust: str | None, at: str, key_id: str) -> Anchor:
    return Anchor(
        trust=trust,
        head_seq=report.head.seq if report.head else 0,
        head_hash=report.head_hash,
        events=report.events,
        at=at,
        key_id=key_id,
    )


def last_anchor(path: Path, *, trust: str | None) -> Anchor | None:
    """The last anchor of ``trust``'s chain (None: the deployment chain) in
    the file, or None if it holds none yet. Every line is parsed, so a
    damaged line is reported whichever chain it was of; read line by line:
    memory stays flat however many days and trusts it holds."""
    last: Anchor | None = None
    try:
        with path.open(encoding="utf-8") as lines:
            for number, text in enumerate(lines, 1):
                if text.strip():
                    anchor = _parse(number, text, path)
                    last = anchor if anchor.trust == trust else last
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise AnchorFileError(f"cannot read the anchor file {path}: {exc}") from None
    return last


def _parse(number: int, text: str, path: Path) -> Anchor:
    where = f"the anchor file {path}, line {number}"
    try:
        data: Any = json.loads(text)
    except ValueError:
        raise AnchorFileError(f"{where} is not JSON") from None
    if isinstance(data, dict) and set(data) == set(LEGACY_FIELDS):
        data = {**data, "trust": settings.FTP_TRUST_CODE}
    if not isinstance(data, dict) or set(data) != set(FIELDS):
        raise AnchorFileError(f"{where} is not an anchor ({', '.join(FIELDS)})")
    if data["trust"] is not None and not isinstance(data["trust"], str):
        raise AnchorFileError(f"{where} has a malformed trust")
    ints = all(isinstance(data[k], int) and data[k] >= 0 for k in ("head_seq", "events"))
    if not ints or not isinstance(data["head_hash"], str) or not HASH.match(data["head_hash"]):
        raise AnchorFileError(f"{where} has a malformed seq, count or hash")
    if not isinstance(data["at"], str) or not isinstance(data["key_id"], str):
        raise AnchorFileError(f"{where} has a malformed time or key id")
    return Anchor(**data)


def compare_with_anchor(report: Report, anchor: Anchor) -> Breakage | None:
    """What is wrong with a log whose walk gave ``report``, against ``anchor``."""
    source = f"the anchor of {anchor.at}"
    if anchor.events and report.events == 0:
        return Breakage(
            anchor.head_seq,
            0,
            Kind.TRUNCATED,
            f"the log is empty, but {source} recorded {anchor.events} events",
        )
    breakage = check_anchor(anchor.head_seq, anchor.head_hash, source=source)
    if breakage is None and report.events < anchor.events:
        head = report.head.seq if report.head else 0
        return Breakage(
            head,
            report.head.id if report.head else 0,
            Kind.TRUNCATED,
            f"the log has {report.events} events, {source} recorded {anchor.events}",
        )
    return breakage


def anchor_record(anchor: Anchor) -> None:
    """Append ``anchor`` to the anchor file (synced to disk) and email it.

    Raises OSError if the file cannot be written; the caller reports that.
    """
    append_line(Path(settings.FTP_AUDIT_ANCHOR_FILE), anchor.line())
    if settings.FTP_AUDIT_ANCHOR_EMAILS:
        chain = f"trust {anchor.trust}" if anchor.trust else "the deployment"
        where = f"--trust {anchor.trust}" if anchor.trust else "--deployment"
        send_mail(
            f"Audit log anchor ({chain}): {anchor.events} events, {anchor.at[:10]}",
            f"The audit log's chain of {chain} was checked and its head recorded here. Keep "
            "this email: it lets anyone show later that the log was not cut short or "
            f"rewritten.\n\nAnchor: {anchor.line()}\n\n"
            f"To check it: python manage.py verify_audit {where} --expect {anchor.expect}\n",
            None,
            list(settings.FTP_AUDIT_ANCHOR_EMAILS),
        )


def append_line(path: Path, line: str) -> None:
    """Append one line to ``path`` and sync it to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: one short write per anchor, never interleaved with another
    # check's, and nothing before it can be overwritten through this handle.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
