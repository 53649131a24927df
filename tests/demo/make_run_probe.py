"""Run inside the `make run` configuration (FTP_ENV=local, its SQLite and
filesystem broker under FTP_VAR_DIR), with that configuration's worker
running: a demo manager refers, a demo HR adviser triages through the
services, and this times how long the manager's notification of the triage
takes to appear in the app (and its email to be sent). Prints one JSON line.

Started by tests/demo/test_make_run.py, never imported by the suite:
``FTP_ENV=local FTP_VAR_DIR=... python -m tests.demo.make_run_probe``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import OperationalError  # noqa: E402
from django.utils import timezone  # noqa: E402

from notifications.models import Channel, Delivery, DeliveryStatus, Kind, Notification  # noqa: E402
from staff.models import Employee  # noqa: E402
from tenancy.context import trust_entered  # noqa: E402
from tenancy.models import Trust  # noqa: E402
from workflow.models import Case, Stage  # noqa: E402
from workflow.services import case_triage, referral_submit  # noqa: E402

WAIT_SECONDS = 60.0
LOCKED_TRIES = 5


def _retrying_when_locked(action: Callable[[], Case], tries: list[int]) -> Case:
    """Run ``action``, again while SQLite says another connection holds the
    write lock (the worker writing at that moment; each try counted in
    ``tries``). SQLite's deferred transactions give up at once rather than
    wait when a reader must become a writer; see the report in the test."""
    for attempt in range(LOCKED_TRIES):
        try:
            return action()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == LOCKED_TRIES - 1:
                raise
            tries.append(1)
            time.sleep(0.2)
    raise AssertionError("unreachable")


def main() -> int:
    queue = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
    queued_at_start = len(os.listdir(str(queue)))
    users = get_user_model().objects
    with trust_entered(Trust.objects.get(code="NB")):
        manager, hr = users.get(username="manager1"), users.get(username="hr1")
        open_cases = Case.objects.filter(stage__in=Stage.open_values()).values("employee_id")
        employee = (
            Employee.objects.filter(org_unit__parent__code="NB-MED")
            .exclude(pk__in=open_cases)
            .order_by("pk")
            .first()
        )
        if employee is None:
            raise SystemExit("no NB-MED employee without an open case")
        locked: list[int] = []
        case = _retrying_when_locked(
            lambda: referral_submit(
                actor=manager,
                staff_number=employee.staff_number,
                concern_category="conduct",
                summary="Raised voice at a colleague during a busy handover (probe).",
                incident_date=timezone.localdate() - dt.timedelta(days=2),
                informal_steps_tried="Spoke with them informally after the incident.",
            ),
            locked,
        )
        _retrying_when_locked(
            lambda: case_triage(case_id=case.pk, actor=hr, route="informal"), locked
        )
        triaged = time.monotonic()
        told: dict[str, float | None] = {"inapp": None, "email": None}
        while time.monotonic() - triaged < WAIT_SECONDS and None in told.values():
            note = Notification.objects.filter(
                recipient=manager, case=case, kind=Kind.CASE_MOVED
            ).first()
            if note is not None:
                if told["inapp"] is None and note.shown_at is not None:
                    told["inapp"] = round(time.monotonic() - triaged, 2)
                sent = Delivery.objects.filter(
                    notification=note, channel=Channel.EMAIL, status=DeliveryStatus.SENT
                ).exists()
                if told["email"] is None and sent:
                    told["email"] = round(time.monotonic() - triaged, 2)
            time.sleep(0.05)
        with_inapp = Notification.objects.filter(recipient=manager, case=case, kind=Kind.CASE_MOVED)
        report = {
            "case": case.reference,
            "queued_at_start": queued_at_start,
            "locked_retries": len(locked),
            "inapp_seconds": told["inapp"],
            "email_seconds": told["email"],
            "manager_notifications": with_inapp.count(),
            "deliveries_sent": Delivery.objects.filter(
                notification__case=case, status=DeliveryStatus.SENT
            ).count(),
        }
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
