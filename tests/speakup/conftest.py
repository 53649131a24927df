"""The speak-up cast: two guardians, a member of staff, an HR adviser."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from accounts.roles import Role

from ..factories import make_user, org_tree


@dataclass
class SpeakCast:
    guardian: Any
    guardian_b: Any
    staff: Any
    hr: Any
    units: dict[str, Any]


@pytest.fixture
def speak(db: None) -> SpeakCast:
    return SpeakCast(
        guardian=make_user("gwen.guardian", Role.FTSU_GUARDIAN),
        guardian_b=make_user("gus.guardian", Role.FTSU_GUARDIAN),
        staff=make_user("sam.staff", Role.STAFF),
        hr=make_user("hana.hr", Role.HR),
        units=org_tree(),
    )
