"""Fixtures for the notification tests: the cast with email addresses, a story
teller, fast passwords, and a clock that starts on a known working day."""

from __future__ import annotations

from typing import Any

import pytest

from ..workflow.steps import Story


@pytest.fixture(autouse=True)
def _known_settings(settings: Any) -> None:
    # The defaults, pinned: a test reads like the trust's policy.
    settings.FTP_STEP_TIME_LIMITS = {
        "triage": 5,
        "resubmit": 10,
        "informal": 20,
        "convene": 5,
        "decide": 10,
        "signoff": 5,
    }
    settings.FTP_REMINDER_WORKING_DAYS_BEFORE = 2
    settings.FTP_ESCALATE_DECISION_MAKER_AFTER_WORKING_DAYS = 5
    settings.FTP_HR_LEAD_EMAILS = []
    settings.FTP_NOTIFICATION_CHANNELS = [
        "notifications.channels.inapp",
        "notifications.channels.email",
    ]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def people(cast: Any) -> Any:
    """The shared cast, each with a work email address."""
    for user in vars(cast).values():
        user.email = f"{user.username}@trust.example"
        user.save(update_fields=["email"])
    return cast


@pytest.fixture
def story(people: Any, employee: Any) -> Story:
    return Story(people, employee)
