"""The demo's concerns (demo/speakup.py): loaded once, in Northbridge only,
one of each route; the anonymous one opens with the documented key and
passphrase and names nobody."""

from __future__ import annotations

from typing import Any

from demo.speakup import DEMO_CASE_KEY, DEMO_PASSPHRASE
from speakup.access import ConcernVisible
from speakup.models import Concern, Route
from speakup.services import followup_open
from tenancy.context import trust_entered
from tenancy.models import Trust

from ..demo.conftest import demo_allowed, load_demo, loaded

__all__ = ["demo_allowed", "loaded"]


def test_the_demo_has_one_concern_of_each_route_in_northbridge(loaded: Any) -> None:
    load_demo()  # twice: nothing added
    northbridge, southmere = Trust.objects.get(code="NB"), Trust.objects.get(code="SM")
    with trust_entered(southmere):
        assert not Concern.objects.exists()
    with trust_entered(northbridge):
        routes = sorted(Concern.objects.values_list("route", flat=True))
        assert routes == sorted([Route.OPEN, Route.CONFIDENTIAL, Route.ANONYMOUS])
        holder = followup_open(
            case_key=DEMO_CASE_KEY, passphrase=DEMO_PASSPHRASE, address="192.0.2.1"
        )
        anonymous = Concern.objects.get(pk=holder.concern_id)
        assert anonymous.reporter_id is None
        assert ConcernVisible.allows(holder, anonymous)
        assert anonymous.messages.filter(from_guardian=True, guardian__isnull=True).exists()
