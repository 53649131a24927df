"""Reference data loaded from the trust's ESR extract.

Org units form a tree: trust -> ICSU (division) -> department. Employees are
the current record; a case keeps its own snapshot taken at referral time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper

from tenancy.models import TrustOwned

from .ethnicity import EthnicCategory, WresGroup, wres_group


class OrgUnit(TrustOwned):
    class Kind(models.TextChoices):
        TRUST = "trust", "Trust"
        ICSU = "icsu", "ICSU / division"
        DEPARTMENT = "department", "Department"

    # The kind a unit's parent must have; a trust has none.
    PARENT_KIND = {Kind.TRUST: None, Kind.ICSU: Kind.TRUST, Kind.DEPARTMENT: Kind.ICSU}

    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            # Codes are a trust's own: two trusts may both have "ED".
            models.UniqueConstraint(fields=["trust", "code"], name="orgunit_code_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["trust", "icsu", "department"]),
                name="orgunit_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="trust", parent__isnull=True)
                | (~models.Q(kind="trust") & models.Q(parent__isnull=False)),
                name="orgunit_only_trust_is_root",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Band(models.TextChoices):
    """Agenda for Change pay bands; blank is staff not on AfC (e.g. medical)."""

    B1 = "1", "Band 1"
    B2 = "2", "Band 2"
    B3 = "3", "Band 3"
    B4 = "4", "Band 4"
    B5 = "5", "Band 5"
    B6 = "6", "Band 6"
    B7 = "7", "Band 7"
    B8A = "8a", "Band 8a"
    B8B = "8b", "Band 8b"
    B8C = "8c", "Band 8c"
    B8D = "8d", "Band 8d"
    B9 = "9", "Band 9"


class Employee(TrustOwned):
    staff_number = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200)
    band = models.CharField(max_length=2, choices=Band.choices, blank=True)
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="employees")
    line_manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    ethnic_category = models.CharField(max_length=1, choices=EthnicCategory.choices, blank=True)
    # Their work address (NHSmail), when the ESR extract carries it: single
    # sign-on links a login to this record by it when the provider sends no
    # staff number (staff/sso.py). Not unique in ESR, so a link by email is
    # made only when exactly one employee has the address, compared without
    # case (the index is on its upper-case form, as ``email__iexact`` reads it).
    email = models.EmailField(blank=True)
    # The person's own login, when they have one. Panel members must: their
    # org unit, band and line management are read from here to apply the
    # panel rules. Set by ``add_user --staff-number`` or ``import_panel_pool``;
    # the ESR import never touches it.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
    )

    class Meta:
        ordering = ["staff_number"]
        constraints = [
            # A trust's ESR numbers: the same person at two trusts is two records.
            models.UniqueConstraint(
                fields=["trust", "staff_number"], name="employee_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(ethnic_category__in=[c.value for c in EthnicCategory])
                | models.Q(ethnic_category=""),
                name="employee_ethnic_category_valid",
            ),
        ]
        indexes = [models.Index("trust", Upper("email"), name="employee_email_upper")]

    def __str__(self) -> str:
        return f"{self.name} ({self.staff_number})"

    @property
    def wres_group(self) -> WresGroup:
        return wres_group(self.ethnic_category)


class SsoIdentity(models.Model):
    """A person as the single sign-on provider knows them: the token's issuer
    and the stable subject claim (``FTP_OIDC_SUBJECT_CLAIM``; Entra's ``oid``).

    A sign-in finds its login by this pair and nothing else, never by email
    alone: an address can be reused or renamed, a subject cannot. The first
    sign-in creates the login and this row (``staff.services.user_sso_sign_in``).
    """

    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities"
    )
    first_login_at = models.DateTimeField()
    last_login_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="ssoidentity_one_per_subject"
            )
        ]
        verbose_name = "single sign-on identity"
        verbose_name_plural = "single sign-on identities"

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"
