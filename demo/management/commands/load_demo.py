"""``manage.py load_demo``: the local demo's data and logins (see ``demo.trust``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from core.errors import DomainError
from demo.reports import demo_reports_load
from demo.trust import DemoDataRefused, demo_load
from workflow.models import Case


class Command(BaseCommand):
    help = (
        "Load demo org units, staff, a login for every role and cases at every stage. "
        "Local only; safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = demo_load()
            demo_reports_load()  # the governance pack's headcounts and history
        except DemoDataRefused as exc:
            raise CommandError(str(exc)) from exc
        except DomainError as exc:
            raise CommandError(f"Demo data was not loaded: {exc.message}") from exc
        self.stdout.write(
            f"Demo data: {result.org_units} org units, {result.employees} employees, "
            f"{Case.objects.count()} cases ({result.cases_created} created this run)."
        )
        if result.cases_created and not result.backdated:
            self.stdout.write("time-machine is not installed: the cases are dated today.")
        self._write_stages()
        self.stdout.write("\nDemo logins (local only):")
        for login in result.logins:
            self.stdout.write(f"  {login.username:<12} {login.password:<16} {login.role}")

    def _write_stages(self) -> None:
        rows = Case.objects.values("stage", "outcome").annotate(n=Count("id"))
        for row in rows.order_by("stage", "outcome"):
            self.stdout.write(f"  {row['stage']:<10} {row['outcome'] or '-':<22} {row['n']}")
