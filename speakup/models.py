"""Freedom to Speak Up: concerns raised with the trust's guardians.

A concern is nothing to do with a disciplinary case. It has no link to a
case, a referral or an employee record, and no page of the case engine reads
these tables: the guardians (``Role.FTSU_GUARDIAN``) are the only role that
sees concerns (``speakup.access``), and the reporter sees their own.

* ``Concern``: one concern, raised in the product (``Source.RAISED``) or
  imported from the guardian's historical log (``Source.IMPORTED``).
  Raised openly or confidentially it names its reporter's login; raised
  anonymously it stores no identity at all: no login, no name, no address.
  The reporter reads replies with a case key and a passphrase, of which the
  product keeps only a slow hash (``passphrase_hash``, Django's password
  hasher).
* ``ConcernMessage``: the conversation between reporter and guardian.

The six category flags are the guardian's classification, in the NHS England
Freedom to Speak Up data collection's terms (plus racism, which the trust
reports on its own); ``topic`` is what the reporter said it was about.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from staff.ethnicity import EthnicCategory
from tenancy.models import TrustOwned


class Source(models.TextChoices):
    RAISED = "raised", "Raised in the product"
    IMPORTED = "imported", "Imported from the guardian's log"


class Route(models.TextChoices):
    OPEN = "open", "Openly: the guardian may share my name when needed"
    CONFIDENTIAL = "confidential", "Confidentially: only the guardian knows my name"
    ANONYMOUS = "anonymous", "Anonymously: nobody, not even the guardian, knows who I am"


class Topic(models.TextChoices):
    RACISM = "racism", "Racism"
    DISCRIMINATION = "discrimination", "Other discrimination"
    BULLYING = "bullying", "Bullying or harassment"
    PATIENT_SAFETY = "patient_safety", "Patient safety or quality"
    WORKER_SAFETY = "worker_safety", "Worker safety or wellbeing"
    OTHER = "other", "Something else"


# The guardian's categories, in the order the quarterly return lists them.
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("patient_safety", "Patient safety / quality"),
    ("worker_safety", "Worker safety or wellbeing"),
    ("bullying_harassment", "Bullying or harassment"),
    ("inappropriate_behaviour", "Other inappropriate attitudes or behaviours"),
    ("detriment", "Detriment for speaking up"),
    ("racism", "Racism"),
)


class ProfessionalGroup(models.TextChoices):
    """The professional groups of NHS England's FTSU data collection."""

    ADMIN = "admin", "Administrative and clerical"
    AHP = "ahp", "Allied health professionals"
    ESTATES = "estates", "Estates and ancillary"
    HEALTHCARE_SCIENTISTS = "scientists", "Healthcare scientists"
    MEDICAL = "medical", "Medical and dental"
    NURSING = "nursing", "Registered nurses and midwives"
    NURSING_SUPPORT = "nursing_support", "Additional clinical services"
    PHARMACY = "pharmacy", "Pharmacists and pharmacy staff"
    STUDENTS = "students", "Students"
    CORPORATE = "corporate", "Corporate services"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


_CODE_VALID = models.Q(ethnic_category__in=[c.value for c in EthnicCategory]) | models.Q(
    ethnic_category=""
)


class Concern(TrustOwned):
    source = models.CharField(max_length=16, choices=Source.choices)
    route = models.CharField(max_length=16, choices=Route.choices)
    received_on = models.DateField()
    # A department or an ICSU; null when the reporter would rather not say.
    org_unit = models.ForeignKey(
        "staff.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    professional_group = models.CharField(
        max_length=16, choices=ProfessionalGroup.choices, blank=True
    )
    # As the reporter describes themselves (optional); blank is unknown.
    ethnic_category = models.CharField(max_length=1, choices=EthnicCategory.choices, blank=True)
    topic = models.CharField(max_length=16, choices=Topic.choices, blank=True)
    # The concern in the reporter's words; empty for an imported row.
    account = models.TextField(blank=True)
    # Open and confidential concerns only; an anonymous concern has none.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Anonymous concerns only: how the reporter finds their concern again.
    case_key = models.CharField(max_length=32, blank=True)
    passphrase_hash = models.CharField(max_length=200, blank=True)
    # The guardian's categories.
    patient_safety = models.BooleanField(default=False)
    worker_safety = models.BooleanField(default=False)
    bullying_harassment = models.BooleanField(default=False)
    inappropriate_behaviour = models.BooleanField(default=False)
    detriment = models.BooleanField(default=False)
    racism = models.BooleanField(default=False)
    # Guardians acknowledge within two working days of receipt.
    acknowledge_by = models.DateField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=[s.value for s in Source]),
                name="concern_source_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(route__in=[r.value for r in Route]), name="concern_route_valid"
            ),
            models.CheckConstraint(condition=_CODE_VALID, name="concern_ethnic_category_valid"),
            # Anonymous means no identity: no reporter, ever; and only an
            # anonymous concern raised in the product has a key.
            models.CheckConstraint(
                condition=~models.Q(route="anonymous", reporter__isnull=False),
                name="concern_anonymous_has_no_reporter",
            ),
            models.CheckConstraint(
                condition=models.Q(case_key="") | models.Q(route="anonymous", source="raised"),
                name="concern_key_only_anonymous",
            ),
            # A key is found within the trust acted for (row-level security),
            # so it is unique per trust: a global index would let one trust's
            # key collide with, and so reveal, another's.
            models.UniqueConstraint(
                fields=["trust", "case_key"],
                name="concern_case_key_unique",
                condition=~models.Q(case_key=""),
            ),
        ]
        indexes = [
            models.Index(fields=["trust", "received_on"], name="concern_received"),
            models.Index(
                fields=["acknowledge_by"],
                name="concern_unacknowledged",
                condition=models.Q(acknowledged_at__isnull=True, source="raised"),
            ),
            models.Index(
                fields=["reporter"],
                name="concern_reporter",
                condition=models.Q(reporter__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Concern {self.pk} ({self.route}, {self.received_on})"


class ConcernMessage(TrustOwned):
    """One message about a concern: the reporter's or a guardian's."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="messages")
    from_guardian = models.BooleanField()
    # The guardian who wrote it; never the reporter (their identity, if any,
    # is the concern's, and an anonymous reporter has none).
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(from_guardian=True) | models.Q(guardian__isnull=True),
                name="concern_message_reporter_unnamed",
            ),
        ]
        indexes = [models.Index(fields=["concern", "created_at"], name="concern_message_thread")]

    def __str__(self) -> str:
        return f"Message {self.pk} on concern {self.concern_id}"
