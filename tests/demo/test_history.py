"""The demo's past is already delivered (issue 18): its notifications carry
the dates of the backdated actions, are never queued for sending now, and
only those still asking something of their recipient are unread. And the
README's walk-through names staff numbers a demo manager can really refer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from demo.trust import DEMO_TRUSTS
from notifications.models import Delivery, DeliveryStatus, Kind, Notification
from staff.models import Employee
from tenancy.context import trust_entered
from workflow.models import Case, Stage

from .conftest import demo_trusts

README = Path(__file__).resolve().parents[2] / "README.md"


def _each_trust(loaded: dict[str, Any]) -> Any:
    for code, trust in demo_trusts().items():
        with trust_entered(trust):
            yield code


def test_the_demos_notices_carry_their_own_dates_and_only_the_outstanding_are_unread(
    loaded: dict[str, Any],
) -> None:
    """One load for both (loading the demo takes a minute)."""
    start_of_today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    for _code in _each_trust(loaded):
        about_cases = Notification.objects.filter(case__isnull=False)
        assert about_cases.exists()
        # Never queued for sending now: delivered as of their own dates.
        assert not Delivery.objects.filter(
            notification__case__isnull=False, status=DeliveryStatus.PENDING
        ).exists()
        for note in about_cases.filter(deliveries__channel="inapp"):
            assert note.shown_at == note.created_at
            assert note.shown_at < start_of_today
        # Unread: only what still asks something of its recipient.
        unread = Notification.objects.filter(shown_at__isnull=False, read_at__isnull=True)
        assert unread.exists()
        assert not unread.filter(case__stage__in=[Stage.FORMAL, Stage.CLOSED]).exists()
        assert not unread.filter(kind=Kind.SUBMITTED).exclude(case__stage=Stage.SUBMITTED).exists()
        assert not unread.filter(kind=Kind.PANEL_CONVENED).exclude(case__stage=Stage.PANEL).exists()


def _walkthrough_numbers() -> dict[str, list[str]]:
    """The README's "Try it in five minutes" table: login -> staff numbers."""
    section = README.read_text().split("## Try it in five minutes", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([\w.]+)` \|[^|]+\| (.+) \|$", section, flags=re.MULTILINE)
    return {login: re.findall(r"`([DS]\d{6})`", numbers) for login, numbers in rows}


@pytest.mark.django_db
def test_the_readme_walkthrough_names_staff_each_manager_may_refer(
    loaded: dict[str, Any],
) -> None:
    listed = _walkthrough_numbers()
    specs = {login: spec for spec in DEMO_TRUSTS for login in spec.manager_icsu}
    assert set(listed) == set(specs)
    trusts = demo_trusts()
    for login, numbers in listed.items():
        spec = specs[login]
        assert numbers
        with trust_entered(trusts[spec.code]):
            for number in numbers:
                employee = Employee.objects.select_related("org_unit__parent").get(
                    staff_number=number
                )
                icsu = employee.org_unit.parent
                assert icsu is not None, number
                assert icsu.code == spec.manager_icsu[login], number
                assert not Case.objects.filter(
                    employee=employee, stage__in=Stage.open_values()
                ).exists(), number
