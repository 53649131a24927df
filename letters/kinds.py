"""The kinds of letter a trust sends, and how each is sent."""

from __future__ import annotations

from django.db import models


class LetterKind(models.TextChoices):
    MEETING_INVITATION = "meeting_invitation", "Invitation to a meeting"
    INFORMAL_OUTCOME = "informal_outcome", "Outcome of informal resolution"
    PANEL_OUTCOME = "panel_outcome", "Outcome of the Fair Treatment Panel"
    FORMAL_INVESTIGATION_NOTICE = "formal_investigation_notice", "Notice of a formal investigation"


class SentHow(models.TextChoices):
    EMAIL = "email", "By email"
    HAND = "hand", "By hand"
