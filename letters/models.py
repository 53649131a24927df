"""Letter templates a trust edits, its letterhead, and the letters generated from them.

A template is plain text with ``{placeholder}`` tokens (``letters.placeholders``),
checked when saved. There is one per trust and kind, made with the trust
(``letters.seed``); each change is audited with the old and new wording's
hashes. A generated letter is a PDF stored in the case's file
(``casefile.Document``, kind "letter", audience HR); the ``Letter`` row says
which kind it was, who generated it and when, and when and how it was sent.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from tenancy.models import TrustOwned

from .kinds import LetterKind, SentHow
from .placeholders import template_errors

SUBJECT_MAX = 200


class LetterTemplate(TrustOwned):
    """The trust's current wording of one kind of letter."""

    kind = models.CharField(max_length=32, choices=LetterKind.choices, editable=False)
    title = models.CharField(max_length=120)
    subject = models.CharField(
        max_length=SUBJECT_MAX, help_text="The letter's heading; the case reference follows it."
    )
    body = models.TextField(
        help_text="Plain text. Leave a blank line between paragraphs. Placeholders in braces."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    updated_at = models.DateTimeField(editable=False)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "kind"], name="letter_template_one_per_kind")
        ]

    def __str__(self) -> str:
        return self.title or LetterKind(self.kind).label

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        subject = template_errors(self.kind, self.subject)
        body = template_errors(self.kind, self.body, needs_support=True)
        if subject:
            errors["subject"] = subject
        if body:
            errors["body"] = body
        if errors:
            raise ValidationError(errors)

    @property
    def body_sha256(self) -> str:
        return wording_hash(self.subject, self.body)


def wording_hash(subject: str, body: str) -> str:
    """What the audit log keeps of a template's wording (not the wording itself)."""
    return hashlib.sha256(f"{subject}\n\n{body}".encode()).hexdigest()


class Letterhead(TrustOwned):
    """The trust's name, address, logo, signatory and support text on every letter."""

    display_name = models.CharField("trust name on letters", max_length=200)
    address = models.TextField(blank=True, help_text="One line per address line.")
    logo = models.BinaryField(blank=True, default=b"", editable=False)
    logo_type = models.CharField(max_length=20, blank=True, editable=False)
    contact_details = models.CharField(
        max_length=200, blank=True, help_text="How to reach HR: an email address, a telephone."
    )
    signatory_name = models.CharField(max_length=200, blank=True)
    signatory_title = models.CharField(max_length=200, blank=True)
    support_text = models.TextField(
        help_text="Printed where a template says {support}: where staff can find support."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["trust"], name="letterhead_one_per_trust")]

    def __str__(self) -> str:
        return f"Letterhead of {self.display_name}"


class Letter(TrustOwned):
    """One letter generated for a case: its PDF is a document in the case's file."""

    case = models.ForeignKey("workflow.Case", on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=32, choices=LetterKind.choices)
    # The letter goes with its document when the case file is destroyed (records/retention).
    document = models.ForeignKey(
        "casefile.Document", on_delete=models.CASCADE, related_name="letters"
    )
    wording_sha256 = models.CharField(max_length=64)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    generated_at = models.DateTimeField()
    sent_on = models.DateField(null=True, blank=True)
    sent_how = models.CharField(max_length=8, choices=SentHow.choices, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-generated_at", "-id"]
        indexes = [models.Index(fields=["case", "-generated_at", "-id"], name="letter_case_list")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sent_on__isnull=True, sent_how="", sent_by__isnull=True)
                | (
                    models.Q(sent_on__isnull=False, sent_by__isnull=False)
                    & models.Q(sent_how__in=[h.value for h in SentHow])
                ),
                name="letter_sent_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{LetterKind(self.kind).label} for case {self.case_id}"
