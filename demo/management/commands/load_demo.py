"""``manage.py load_demo``: the local demo's two trusts, their data and the
logins (see ``demo.trust``), then the regional figures of both."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from core.errors import DomainError
from demo.reports import demo_reports_load
from demo.trust import DemoDataRefused, DemoResult, demo_load
from regional.services import regional_refresh
from reports.early_warning_snapshot import early_warning_nightly_run
from tenancy.context import trust_entered
from workflow.models import Case


class Command(BaseCommand):
    help = (
        "Load two demo trusts: org units, staff, a login for every role and cases at "
        "several stages, and their regional figures. Local only; safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = demo_load()
            for loaded in result.trusts:
                with trust_entered(loaded.trust):
                    # The governance pack's headcounts and history.
                    demo_reports_load(loaded.trust.code)
                    # What the nightly run keeps for the early-warning page.
                    early_warning_nightly_run(timezone.localdate())
            refreshed = regional_refresh()
        except DemoDataRefused as exc:
            raise CommandError(str(exc)) from exc
        except DomainError as exc:
            raise CommandError(f"Demo data was not loaded: {exc.message}") from exc
        self._write_trusts(result)
        self.stdout.write(
            f"\nRegional figures refreshed for {', '.join(refreshed) or 'no trust'} "
            "(log in as regional, /regional/)."
        )
        self.stdout.write("\nDemo logins (local only; trusts by code):")
        for login in result.logins:
            trusts = f"  [{', '.join(login.trusts)}]" if login.trusts else ""
            self.stdout.write(f"  {login.username:<14} {login.password:<16} {login.role}{trusts}")
        self.stdout.write(
            "A login with roles in two trusts chooses one after logging in "
            "(switch at /accounts/trust/)."
        )

    def _write_trusts(self, result: DemoResult) -> None:
        if any(t.cases_created for t in result.trusts) and not result.backdated:
            self.stdout.write("time-machine is not installed: the cases are dated today.")
        for loaded in result.trusts:
            with trust_entered(loaded.trust):
                self.stdout.write(
                    f"\n{loaded.trust.name} ({loaded.trust.code}): {loaded.org_units} org "
                    f"units, {loaded.employees} employees, {Case.objects.count()} cases "
                    f"({loaded.cases_created} created this run)."
                )
                rows = Case.objects.values("stage", "outcome").annotate(n=Count("id"))
                for row in rows.order_by("stage", "outcome"):
                    self.stdout.write(
                        f"  {row['stage']:<10} {row['outcome'] or '-':<22} {row['n']}"
                    )
