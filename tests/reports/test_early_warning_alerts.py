"""The quarterly early-warning alerts (reports/early_warning_alerts.py): NHS
quarter ends, alerts recorded once, HR advisers told once about the new ones
only, by the command and the beat task."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from notifications.messages import email_body, email_subject, inapp_text
from notifications.models import Kind, Notification
from reports.early_warning_alerts import (
    early_warning_alerts_record,
    last_complete_quarter_end,
    previous_quarter_end,
    quarter_end_on_or_before,
)
from reports.importers import headcount_import
from reports.models import EarlyWarningAlert
from reports.tasks import early_warning_quarterly
from tests.factories import EmployeeFactory

from .conftest import HEAD, csv_text, refer

Q1, Q2 = dt.date(2025, 3, 31), dt.date(2025, 6, 30)


@pytest.mark.parametrize(
    ("day", "quarter_end"),
    [
        (dt.date(2025, 5, 15), dt.date(2025, 3, 31)),
        (dt.date(2025, 6, 30), dt.date(2025, 6, 30)),
        (dt.date(2025, 9, 29), dt.date(2025, 6, 30)),
        (dt.date(2025, 12, 31), dt.date(2025, 12, 31)),
        (dt.date(2025, 1, 1), dt.date(2024, 12, 31)),
        (dt.date(2024, 3, 31), dt.date(2024, 3, 31)),
    ],
)
def test_the_quarter_ending_on_or_before_a_day(day, quarter_end):
    assert quarter_end_on_or_before(day) == quarter_end


def test_the_previous_quarter_and_the_last_complete_one():
    assert previous_quarter_end(dt.date(2025, 6, 30)) == dt.date(2025, 3, 31)
    assert previous_quarter_end(dt.date(2025, 3, 31)) == dt.date(2024, 12, 31)
    assert previous_quarter_end(dt.date(2024, 12, 31)) == dt.date(2024, 9, 30)
    # A quarter's last day is not over until the next day.
    assert last_complete_quarter_end(dt.date(2025, 6, 30)) == dt.date(2025, 3, 31)
    assert last_complete_quarter_end(dt.date(2025, 7, 1)) == dt.date(2025, 6, 30)


@pytest.fixture
def alerting(units, cast):
    """Acute Medical Unit's workforce is all white (100 A), so any BME referral
    there is an alert; Emergency Department is half BME (50 A, 50 N); Medicine
    is 50 of 200. By Q1: 4 white and 1 BME referral in AMU (by MA). In Q2: 12
    BME referrals in ED (by ME)."""
    headcount_import(
        text=csv_text(
            HEAD,
            "2025-03-31,DEP-ED,A,50",
            "2025-03-31,DEP-ED,N,50",
            "2025-03-31,DEP-AMU,A,100",
        )
    )
    ma = EmployeeFactory(staff_number="MA", name="Manny Amu", org_unit=units["amu"])
    me = EmployeeFactory(staff_number="ME", name="Meg Ed", org_unit=units["ed"])
    refer(ma, units["amu"], "A", 4, day="2025-01-10")
    refer(ma, units["amu"], "N", 1, day="2025-02-10")
    refer(me, units["ed"], "N", 12, day="2025-04-10")
    return units


def alerts(quarter_end: dt.date) -> set[tuple[str, str]]:
    return set(
        EarlyWarningAlert.objects.filter(quarter_end=quarter_end).values_list("level", "key")
    )


def told(quarter_end: dt.date) -> list[Notification]:
    return list(
        Notification.objects.filter(kind=Kind.EARLY_WARNING, due_on=quarter_end).select_related(
            "recipient"
        )
    )


def test_the_first_run_records_the_alerts_and_tells_hr_once(alerting, cast):
    run = early_warning_alerts_record(quarter_end=Q1)
    expected = {("department", "DEP-AMU"), ("manager", "MA")}
    assert {(r.level, r.key) for r in run.alerts} == expected
    assert {(r.level, r.key) for r in run.new} == expected
    assert alerts(Q1) == expected
    alert = EarlyWarningAlert.objects.get(quarter_end=Q1, key="DEP-AMU")
    assert (alert.n, alert.bme, alert.p_value, alert.window_months) == (5, 1, 0.0, 24)
    notes = told(Q1)
    assert [n.recipient for n in notes] == [cast.hr]
    assert notes[0].event_key.endswith(f":{Q1.isoformat()}")
    assert sorted((i["level"], i["key"]) for i in notes[0].items) == sorted(expected)


def test_a_rerun_records_and_tells_nothing_twice(alerting, cast):
    early_warning_alerts_record(quarter_end=Q1)
    before = EarlyWarningAlert.objects.count()
    run = early_warning_alerts_record(quarter_end=Q1)
    assert len(run.new) == 2  # still new against the previous quarter
    assert EarlyWarningAlert.objects.count() == before
    assert len(told(Q1)) == 1


def test_the_next_quarter_tells_only_the_new_alerts(alerting, cast):
    early_warning_alerts_record(quarter_end=Q1)
    run = early_warning_alerts_record(quarter_end=Q2)
    now = {(r.level, r.key) for r in run.alerts}
    assert {("department", "DEP-AMU"), ("manager", "MA")} <= now  # repeated
    new = {(r.level, r.key) for r in run.new}
    assert new == {("department", "DEP-ED"), ("icsu", "ICSU-MED"), ("manager", "ME")}
    (note,) = told(Q2)
    assert {(i["level"], i["key"]) for i in note.items} == new
    assert inapp_text(note) == (
        "3 new early-warning alerts as at 30 Jun 2025: 1 ICSU, 1 department, 1 referring manager."
    )


def test_without_a_previous_run_the_previous_quarter_is_computed(alerting, cast):
    """Q2 run first: AMU and MA were in alert at Q1 already, so only the
    three Q2 alerts are new."""
    run = early_warning_alerts_record(quarter_end=Q2)
    assert {(r.level, r.key) for r in run.new} == {
        ("department", "DEP-ED"),
        ("icsu", "ICSU-MED"),
        ("manager", "ME"),
    }
    assert alerts(Q1) == set()  # computed, not recorded


def test_no_new_alert_tells_nobody(units, cast):
    run = early_warning_alerts_record(quarter_end=Q1)
    assert run.alerts == []
    assert run.new == []
    assert told(Q1) == []


def test_only_hr_advisers_are_told(alerting, cast):
    early_warning_alerts_record(quarter_end=Q1)
    recipients = set(
        Notification.objects.filter(kind=Kind.EARLY_WARNING).values_list("recipient", flat=True)
    )
    assert recipients == {cast.hr.pk}
    for other in (cast.manager, cast.governance, cast.director, cast.panel_a, cast.outsider):
        assert other.pk not in recipients


def test_the_email_counts_and_links_and_names_nobody(alerting, cast):
    early_warning_alerts_record(quarter_end=Q1)
    (note,) = told(Q1)
    subject, body = email_subject(note), email_body(note)
    assert subject == "2 new early-warning alerts (Fair Treatment Panel)"
    assert "2 new alerts" in body
    assert "/reports/early-warning/?as_at=2025-03-31" in body
    for secret in ("MA", "Manny Amu", "DEP-AMU", "Acute Medical Unit", "ICSU"):
        assert secret not in body
        assert secret not in subject
    # No group's numbers: the only figure is the count of alerts.
    words = [w for w in body.split() if not w.startswith("http")]
    assert [w for w in words if any(c.isdigit() for c in w)] == ["2"]


def test_the_command_uses_the_quarter_ending_on_or_before_its_date(alerting, cast):
    out = io.StringIO()
    call_command("early_warning_alerts", "--as-at", "2025-05-01", stdout=out)
    assert out.getvalue().strip() == (
        "Early warning as at 2025-03-31: 2 in alert, 2 new since the previous quarter."
    )
    assert alerts(Q1) == {("department", "DEP-AMU"), ("manager", "MA")}
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("early_warning_alerts", "--as-at", "May 2025")


def test_the_command_defaults_to_the_last_complete_quarter(alerting, cast):
    with time_machine.travel(dt.datetime(2025, 7, 3, 9, 0, tzinfo=dt.UTC), tick=False):
        call_command("early_warning_alerts", stdout=io.StringIO())
    assert alerts(Q2)


def test_the_beat_task_runs_each_trust_for_the_last_complete_quarter(alerting, cast):
    with time_machine.travel(dt.datetime(2025, 7, 1, 5, 30, tzinfo=dt.UTC), tick=False):
        assert early_warning_quarterly() == 3
        assert early_warning_quarterly() == 3  # safe to run again
    assert len(told(Q2)) == 1
    assert ("department", "DEP-ED") in alerts(Q2)


def test_the_task_is_on_beats_schedule():
    from config.celery import app

    schedule = app.conf.beat_schedule["early-warning-quarterly"]
    assert schedule["task"] == "reports.tasks.early_warning_quarterly"
