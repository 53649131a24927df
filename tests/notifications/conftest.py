"""Fixtures for the notification tests: the cast with email addresses, a story
teller, fast passwords, and a clock that starts on a known working day."""

from __future__ import annotations

from typing import Any

import pytest

from ..policy import policy_set
from ..workflow.steps import Story


@pytest.fixture(autouse=True)
def _known_policy(_tenant: Any) -> None:
    # The defaults, pinned in the trust's policy: a test reads like it.
    if _tenant is None:
        return
    policy_set(
        _tenant,
        step_time_limits={
            "triage": 5,
            "resubmit": 10,
            "informal": 20,
            "convene": 5,
            "decide": 10,
            "signoff": 5,
            "investigate": 40,
            "hearing": 20,
            "appeal": 20,
        },
        reminder_working_days_before=2,
        escalate_decision_maker_after_working_days=5,
        bank_holiday_region="ENG",
    )


@pytest.fixture(autouse=True)
def _known_settings(settings: Any) -> None:
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
