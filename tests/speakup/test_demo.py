"""The demo's concerns (demo/speakup.py): raised ones loaded once, in
Northbridge only, one of each route; the anonymous one opens with the
documented key and passphrase and names nobody. Each trust also has two
years of the guardian's log, imported once."""

from __future__ import annotations

from typing import Any

from demo.speakup import DEMO_CASE_KEY, DEMO_PASSPHRASE
from speakup.access import ConcernVisible
from speakup.models import Concern, Route, Source
from speakup.report import Quarter, quarters_ending
from speakup.services import followup_open
from tenancy.context import trust_entered
from tenancy.models import Trust

from ..demo.conftest import demo_allowed, demo_loaded, load_demo, loaded

__all__ = ["demo_allowed", "demo_loaded", "loaded"]


def test_the_demo_has_one_concern_of_each_route_in_northbridge(loaded: Any) -> None:
    load_demo()  # twice: nothing added
    northbridge, southmere = Trust.objects.get(code="NB"), Trust.objects.get(code="SM")
    with trust_entered(southmere):
        assert not Concern.objects.filter(source=Source.RAISED).exists()
    with trust_entered(northbridge):
        routes = sorted(
            Concern.objects.filter(source=Source.RAISED).values_list("route", flat=True)
        )
        assert routes == sorted([Route.OPEN, Route.CONFIDENTIAL, Route.ANONYMOUS])
        holder = followup_open(
            case_key=DEMO_CASE_KEY, passphrase=DEMO_PASSPHRASE, address="192.0.2.1"
        )
        anonymous = Concern.objects.get(pk=holder.concern_id)
        assert anonymous.reporter_id is None
        assert ConcernVisible.allows(holder, anonymous)
        assert anonymous.messages.filter(from_guardian=True, guardian__isnull=True).exists()


def test_each_trust_has_two_years_of_the_guardians_log_imported_once(loaded: Any) -> None:
    load_demo()  # twice: the log is not imported again
    quarters = quarters_ending(Quarter.latest_complete(), 8)
    for trust in Trust.objects.filter(code__in=["NB", "SM"]):
        with trust_entered(trust):
            imported = Concern.objects.filter(source=Source.IMPORTED)
            days = list(imported.values_list("received_on", flat=True))
            assert {Quarter.of(day) for day in days} == set(quarters)
            # 6 to 16 a quarter, as generated: twice that would mean a second import.
            assert 6 * 8 <= len(days) <= 16 * 8
            assert not imported.exclude(account="").exists()
            assert not imported.filter(reporter__isnull=False).exists()
