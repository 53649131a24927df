"""The case's path: one row per action, appended by the service that acted.

viewflow's task table is not an audit log (rows are updated in place and
cancellations name nobody), so every service writes here in its own
transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class AuditEvent(models.Model):
    case = models.ForeignKey("workflow.Case", on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    action = models.CharField(max_length=48)
    from_stage = models.CharField(max_length=16, blank=True)
    to_stage = models.CharField(max_length=16)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="audit_case_at")]

    def __str__(self) -> str:
        return f"{self.action} {self.from_stage or '-'} -> {self.to_stage}"


class PersonalDataAccess(models.Model):
    """Who was shown special-category data (ethnicity), about which case, when.

    UK GDPR: ethnicity is special-category data, shown only to roles that
    need it; every showing is recorded here (never in application logs).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "workflow.Case", on_delete=models.PROTECT, related_name="personal_data_accesses"
    )
    at = models.DateTimeField()
    field = models.CharField(max_length=48)
    channel = models.CharField(max_length=16, default="web")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "at"], name="pd_access_case_at")]

    def __str__(self) -> str:
        return f"{self.field} of case {self.case_id} shown to user {self.user_id}"
