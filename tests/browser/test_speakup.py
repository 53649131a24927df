"""Speaking up in a real browser, each page checked with axe-core
(``Person.check``): a visitor who is not signed in raises a concern
anonymously and writes down the key and passphrase; the guardian
acknowledges it and replies; the visitor reads the reply with the key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from speakup.models import Concern

from ..factories import make_user
from .people import Browsing

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ACCOUNT = "Qzx: a patient's relative shouted racist abuse and nobody stepped in."


@dataclass
class Visitor:
    """Nobody signed in: a name for the accessibility log only."""

    def get_username(self) -> str:
        return "visitor"


def test_an_anonymous_concern_from_raising_to_the_reply(browsing: Browsing, trust: Any) -> None:
    gwen = make_user("gwen.guardian", Role.FTSU_GUARDIAN)
    visitor = browsing.person(Visitor())
    visitor.open("/speak-up/", "Speak up", name="speak up: choose the trust")
    visitor.follow(trust.name, "Speak up")
    visitor.choose("What is it about?", "Racism")
    visitor.page.get_by_label("What happened?").fill(ACCOUNT)
    visitor.submit("Raise the concern", "Your concern was raised")
    key = visitor.page.get_by_test_id("case-key").inner_text()
    passphrase = visitor.page.get_by_test_id("passphrase").inner_text()
    visitor.shot("9-speak-up", "raised")
    concern = Concern.objects.get()
    assert concern.reporter_id is None

    guardian = browsing.person(gwen).log_in()
    guardian.menu("Concerns", "Concerns")
    guardian.follow(f"(#{concern.pk})", f"Concern #{concern.pk}")
    expect(guardian.main.get_by_test_id("account")).to_contain_text(ACCOUNT)
    guardian.submit("Acknowledge", f"Concern #{concern.pk}")
    guardian.main.get_by_label("Your message").fill("Qzx: thank you, we are looking into it.")
    guardian.submit("Send reply", f"Concern #{concern.pk}")
    guardian.shot("9-speak-up", "concern")

    visitor.open(f"/speak-up/follow-up/?trust={trust.code}", "Follow up an anonymous concern")
    visitor.page.get_by_label("Case key").fill(key)
    visitor.page.get_by_label("Passphrase").fill(passphrase)
    visitor.submit("Open", "Your anonymous concern")
    expect(visitor.main.get_by_test_id("concern-messages")).to_contain_text(
        "we are looking into it"
    )
    assert "gwen" not in visitor.text()
