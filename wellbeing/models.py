"""Wellbeing at every step (issue 20; docs/wellbeing.md).

Three tables, each one trust's rows (row-level security, ``tenancy.rls``):

* ``SupportService``: the trust's own signposting (occupational health, the
  employee assistance programme, the Freedom to Speak Up guardian, staff
  networks, trade unions), shown in every letter and on the case page.
* ``CheckIn``: a wellbeing check-in held (or offered and declined) with the
  employee. Append-only: a check-in is a record of something that happened.
  Its notes are for HR and the named wellbeing contact only
  (``workflow.access.CheckInVisible``); the audit log keeps their SHA-256.
* ``CheckInSchedule``: when the next check-in is due, one row per case
  under way, so the reminder sweep reads only rows that are due, through a
  partial index (ADR 0028).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tenancy.models import TrustOwned

NOTES_MAX = 4000
NAME_MAX = 120
CONTACT_MAX = 200
DESCRIPTION_MAX = 300


class SupportKind(models.TextChoices):
    OCCUPATIONAL_HEALTH = "occupational_health", "Occupational health"
    EMPLOYEE_ASSISTANCE = "employee_assistance", "Employee assistance programme"
    FTSU_GUARDIAN = "ftsu_guardian", "Freedom to Speak Up guardian"
    STAFF_NETWORK = "staff_network", "Staff network"
    TRADE_UNION = "trade_union", "Trade union"
    OTHER = "other", "Other support"


class SupportService(TrustOwned):
    """One place the trust signposts an employee in a process to.

    Configured by the trust's HR team in the admin; every new trust starts
    with the defaults of ``wellbeing.seed``. ``active`` hides a service
    without losing it; ``order`` sets where it is listed."""

    kind = models.CharField(max_length=24, choices=SupportKind.choices)
    name = models.CharField(max_length=NAME_MAX)
    contact = models.CharField(
        max_length=CONTACT_MAX, help_text="A phone number or email address, as it should print."
    )
    url = models.URLField(blank=True)
    description = models.CharField(max_length=DESCRIPTION_MAX, blank=True)
    # Not ``order``: a reserved word in SQL that raw statements (bench/seed.py)
    # would have to quote.
    position = models.PositiveSmallIntegerField(default=0, help_text="Smaller first in the list.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["trust", "active", "position", "id"], name="support_listed")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class CheckInHow(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"
    VIDEO = "video", "By video call"
    EMAIL = "email", "By email"


class CheckIn(TrustOwned):
    """A wellbeing check-in with the employee, as recorded: append-only.

    ``declined``: the employee was offered contact and declined it (that is
    recorded too: the offer was made). ``notes``: what was said, for HR and
    the wellbeing contact only; never in the audit log (its hash is)."""

    case = models.ForeignKey("workflow.Case", on_delete=models.PROTECT, related_name="checkins")
    held_on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    how = models.CharField(max_length=12, choices=CheckInHow.choices)
    notes = models.TextField(blank=True)
    declined = models.BooleanField(default=False)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["case", "-held_on", "-id"], name="checkin_list")]

    def __str__(self) -> str:
        return f"Check-in on {self.held_on:%Y-%m-%d}"


class CheckInSchedule(TrustOwned):
    """When the case's next wellbeing check-in is due, and whether its
    contact has been told (``told_for``: the due date told; null until then).

    One row per case that has a wellbeing contact. Moving ``due_on`` clears
    ``told_for``, so the sweep's partial index (``due_on`` where
    ``told_for`` is null) holds only the rows still to tell."""

    case = models.OneToOneField(
        "workflow.Case", on_delete=models.PROTECT, related_name="checkin_schedule"
    )
    due_on = models.DateField()
    told_for = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["due_on"],
                name="checkin_due_untold",
                condition=models.Q(told_for__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"Next check-in due {self.due_on:%Y-%m-%d}"
