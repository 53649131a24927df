"""The employee's voice (issue 20, docs/employee-account.md): that they were
told of the referral, their own account of what happened, and the
single-use link through which they may give it themselves.

``EmployeeTold`` and ``EmployeeAccount`` are append-only: a correction of
"told on" is a newer row, and a later account adds to the earlier ones,
never replaces them (the models refuse a change and so do the database's
triggers, migration 0001, until the case file is destroyed under the
retention schedule). ``AccountLink`` keeps only the SHA-256 of its token:
the raw token is handed out once (the employee's email, the HR adviser's
page) and is never stored (ADR 0027).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from tenancy.models import TrustOwned

ACCOUNT_TEXT_MAX = 20_000


class ToldMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"
    LETTER = "letter", "By letter"
    EMAIL = "email", "By email"
    VIDEO = "video", "By video call"


class AccountSource(models.TextChoices):
    MEETING = "meeting", "Typed by HR from a meeting"
    UPLOAD = "upload", "Uploaded by HR"
    LINK = "link", "The employee, by their link"


class _AppendOnly(TrustOwned):
    """A row that is written once and kept (the triggers refuse it too)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} is never changed; add a new row.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"{type(self).__name__} is removed only with its whole case file.")


class EmployeeTold(_AppendOnly):
    """HR records that the employee was told of the referral: when and how.
    Recording it again is a correction; the newest row stands."""

    case = models.ForeignKey("workflow.Case", on_delete=models.PROTECT, related_name="told")
    told_on = models.DateField()
    method = models.CharField(max_length=12, choices=ToldMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["case", "-recorded_at", "-id"], name="voice_told_case")]

    def __str__(self) -> str:
        return f"Told of case {self.case_id} on {self.told_on}"


class AccountLink(TrustOwned):
    """A single-use link for the employee to give their account (ADR 0027).

    Live while ``used_at`` and ``revoked_at`` are empty, ``expires_at`` has
    not passed and the case has not reached the panel's decision. Only
    ``used_at``/``revoked_at``/``revoked_why`` ever change, once.
    """

    class Revoked(models.TextChoices):
        REPLACED = "replaced", "A newer link was issued"
        WITHDRAWN = "withdrawn", "Withdrawn by HR"

    case = models.ForeignKey(
        "workflow.Case", on_delete=models.PROTECT, related_name="account_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # Whether it was emailed to the employee's address (else HR hands it over).
    emailed = models.BooleanField(default=False)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_why = models.CharField(max_length=12, choices=Revoked.choices, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["case", "-issued_at", "-id"], name="voice_link_case")]

    def __str__(self) -> str:
        return f"Account link {self.pk} of case {self.case_id}"


class EmployeeAccount(_AppendOnly):
    """The employee's own account of what happened: typed by HR from a
    meeting, a document HR uploaded, or what the employee sent by their link
    (text, a document, or both). Several may be on a case; none replaces another."""

    case = models.ForeignKey("workflow.Case", on_delete=models.PROTECT, related_name="accounts")
    source = models.CharField(max_length=8, choices=AccountSource.choices)
    text = models.TextField(blank=True)
    # The meeting the account was given at (source "meeting").
    meeting_on = models.DateField(null=True, blank=True)
    # The uploaded document (casefile: checked, stored and audited like any).
    document = models.ForeignKey(
        "casefile.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The HR adviser who recorded it; null when the employee sent it by link.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    link = models.ForeignKey(
        AccountLink, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["case", "-recorded_at", "-id"], name="voice_account_case")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text="") | models.Q(document__isnull=False),
                name="voice_account_has_content",
            )
        ]

    def __str__(self) -> str:
        return f"Account {self.pk} on case {self.case_id}"
