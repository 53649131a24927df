"""Load the FTSU guardian's historical log: ``import_ftsu_cases FILE.csv``.

Columns (docs/speak-up-data.md): ``received_on`` (YYYY-MM-DD, or DD/MM/YYYY
as Excel writes it), ``org_unit`` (a department or ICSU code of the trust;
blank when the log does not say), ``professional_group`` (a
``ProfessionalGroup`` value or label, in any case; blank is "not known"),
``ethnic_category`` (an NHS code, or blank for unknown), ``anonymous`` and
the six category flags ``patient_safety``, ``worker_safety``,
``bullying_harassment``, ``inappropriate_behaviour``, ``detriment``,
``racism`` (each ``yes`` or ``no``).

The same all-or-nothing contract as every import built on ``core.csv_import``:
every row is checked, every problem is reported by line, and only a file with
no problems is written, in one transaction, with one audit event.

An imported row is ``Source.IMPORTED`` with no account text and no reporter:
an anonymous row is ``Route.ANONYMOUS``; any other row is
``Route.CONFIDENTIAL``, because the log may record that the guardian knew the
reporter's name, but the product never has it, so nobody else can learn it.

**The same file twice.** A concern in the log has no identity of its own (two
concerns on one day, in one unit, with the same flags are two concerns), so a
repeated row cannot be told from a new one. Instead, the file is identified by
the SHA-256 of its text (line endings and Excel's byte-order mark do not
count), which the import's audit event keeps: a file whose text was imported
before into this trust is refused whole, naming when. Imports in one trust
run one at a time (a transaction-scoped advisory lock on PostgreSQL), so two
runs of the same file at the same moment cannot both pass that check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from audit.models import AuditEvent, EventType
from audit.services import audit_record
from core.csv_import import ImportFailed, Row, RowErrors, check_date, comma_list, read_csv
from staff.importers import ETHNIC_CODES, normalise_ethnic_category
from staff.models import OrgUnit
from tenancy.context import trust_id_required

from .models import CATEGORIES, Concern, ProfessionalGroup, Route, Source

logger = logging.getLogger(__name__)

FLAGS = tuple(name for name, _ in CATEGORIES)
FTSU_COLUMNS = (
    "received_on",
    "org_unit",
    "professional_group",
    "ethnic_category",
    "anonymous",
    *FLAGS,
)
ANSWERS = {"yes": True, "no": False}
KIND = "ftsu_cases"
BATCH = 2000
# The advisory lock's first key (a 32-bit number), the trust's id its second.
_LOCK_NAMESPACE = 0x46545355  # "FTSU"


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


# Both a group's value ("nursing") and its label ("Registered nurses and
# midwives") are accepted, in any case and spacing.
GROUPS: dict[str, str] = {
    **{_normal(g.value): g.value for g in ProfessionalGroup},
    **{_normal(str(g.label)): g.value for g in ProfessionalGroup},
}


@dataclass(frozen=True)
class FtsuImportResult:
    rows: int  # concerns stored
    anonymous: int
    sha256: str


@dataclass(frozen=True)
class _Checked:
    received_on: dt.date
    org_unit_id: int | None
    professional_group: str
    ethnic_category: str
    anonymous: bool
    flags: dict[str, bool]


def file_digest(text: str) -> str:
    """The SHA-256 of the file's text, byte-order mark dropped and line endings
    made ``\\n``: the same log saved again by Excel is the same file."""
    body = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def ftsu_cases_import(*, text: str) -> FtsuImportResult:
    """Load the guardian's log into the current trust. Raises ImportFailed,
    having written nothing, if any row is invalid or the file was imported before."""
    errors = RowErrors()
    rows = read_csv(text, FTSU_COLUMNS, errors)
    digest = file_digest(text)
    today = timezone.localdate()
    with transaction.atomic():
        _lock_imports()
        units = _units()
        checked = [_check_row(row, units, today, errors) for row in rows]
        _check_not_imported(digest, errors)
        if errors:
            raise ImportFailed(errors)
        good = [c for c in checked if c is not None]
        _write(good)
        result = FtsuImportResult(
            rows=len(good), anonymous=sum(c.anonymous for c in good), sha256=digest
        )
        audit_record(
            case=None, actor=None, action=EventType.IMPORT, payload={"kind": KIND, **vars(result)}
        )
    logger.info("FTSU import: %d concerns (%d anonymous).", result.rows, result.anonymous)
    return result


def _lock_imports() -> None:
    """One FTSU import at a time in this trust, until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, trust_id_required()]
            )


def _check_not_imported(digest: str, errors: RowErrors) -> None:
    before = (
        AuditEvent.objects.filter(
            action=EventType.IMPORT, payload__kind=KIND, payload__sha256=digest
        )
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )
    if before is not None:
        local = timezone.localtime(before)
        when = f"{local.day} {local:%B %Y at %H:%M}"
        errors.add(1, None, f"this file was imported already, on {when}; nothing was added again.")


def _units() -> dict[str, tuple[int, str]]:
    """The current trust's org units: code -> (id, kind)."""
    return {
        code: (pk, kind) for code, pk, kind in OrgUnit.objects.values_list("code", "pk", "kind")
    }


def _check_row(
    row: Row, units: dict[str, tuple[int, str]], today: dt.date, errors: RowErrors
) -> _Checked | None:
    """Add every problem of one row; what to store when it has none."""
    start = len(errors)
    day = check_date(row, "received_on", errors, not_after=today)
    unit_id = _unit(row, units, errors)
    group = _group(row, errors)
    code = normalise_ethnic_category(row["ethnic_category"])
    if code is None:
        message = "is not a valid NHS ethnic category code; use one of "
        errors.add(
            row, "ethnic_category", f"{message}{comma_list(ETHNIC_CODES)}, or leave it blank."
        )
    answers = {column: _answer(row, column, errors) for column in ("anonymous", *FLAGS)}
    if len(errors) > start or day is None or code is None or group is None:
        return None
    return _Checked(
        received_on=day,
        org_unit_id=unit_id,
        professional_group=group,
        ethnic_category=code,
        anonymous=bool(answers["anonymous"]),
        flags={flag: bool(answers[flag]) for flag in FLAGS},
    )


def _unit(row: Row, units: dict[str, tuple[int, str]], errors: RowErrors) -> int | None:
    code = row["org_unit"]
    if not code:
        return None  # the log does not say: counted for the trust only
    found = units.get(code)
    if found is None:
        errors.add(row, "org_unit", f"there is no org unit {code}; import the org units first.")
        return None
    pk, kind = found
    if kind not in (OrgUnit.Kind.ICSU, OrgUnit.Kind.DEPARTMENT):
        message = f"{code} is the trust itself; give a department or an ICSU, or leave it blank."
        errors.add(row, "org_unit", message)
        return None
    return pk


def _group(row: Row, errors: RowErrors) -> str | None:
    value = row["professional_group"]
    if not value:
        return ProfessionalGroup.NOT_KNOWN.value
    group = GROUPS.get(_normal(value))
    if group is None:
        codes = comma_list(g.value for g in ProfessionalGroup)
        errors.add(row, "professional_group", f"is not a professional group; use one of {codes}.")
    return group


def _answer(row: Row, column: str, errors: RowErrors) -> bool | None:
    value = row[column].lower()
    if not value:
        errors.add(row, column, "is required (yes or no).")
        return None
    answer = ANSWERS.get(value)
    if answer is None:
        errors.add(row, column, "must be yes or no.")
    return answer


def _write(rows: list[_Checked]) -> None:
    now = timezone.now()
    for start in range(0, len(rows), BATCH):
        Concern.objects.bulk_create(
            Concern(
                source=Source.IMPORTED,
                route=Route.ANONYMOUS if c.anonymous else Route.CONFIDENTIAL,
                received_on=c.received_on,
                org_unit_id=c.org_unit_id,
                professional_group=c.professional_group,
                ethnic_category=c.ethnic_category,
                created_at=now,
                **c.flags,
            )
            for c in rows[start : start + BATCH]
        )
