"""The demo's two trusts: each its own data, each person seeing only their
trust's cases (row-level security on PostgreSQL, as the suite runs), and the
shared-services login choosing a trust first."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from demo.trust import DEMO_PASSWORD
from panels.models import PoolMember
from regional.models import TrustBenchmark
from regional.services import regional_default_year
from staff.models import Employee, OrgUnit
from tenancy.context import trust_entered
from tenancy.models import Trust
from tenancy.policy import trust_policy
from workflow.models import Case

from .conftest import demo_trusts

REFERENCE = re.compile(r"\b[A-Z][A-Z0-9-]*-\d{4}-\d+\b")


def login(client: Client, username: str) -> None:
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username


def cases_of(trust: Trust) -> dict[int, str]:
    with trust_entered(trust):
        return dict(Case.objects.values_list("pk", "reference"))


def listed(client: Client) -> set[str]:
    response = client.get(reverse("cases:list"))
    assert response.status_code == 200
    return {case.reference for case in response.context["page"]}


def test_both_trusts_load_with_their_own_data(loaded: dict[str, Any]) -> None:
    trusts = demo_trusts()
    assert set(trusts) == {"NB", "SM"}
    assert all(t.shares_with_region for t in trusts.values())
    for code, trust in trusts.items():
        with trust_entered(trust):
            assert {u.code.split("-")[0] for u in OrgUnit.objects.all()} == {code}
            assert not Employee.objects.exclude(org_unit__code__startswith=code).exists()
            assert not Case.objects.exclude(employee__org_unit__code__startswith=code).exists()
            pool = set(PoolMember.objects.values_list("user__username", flat=True))
            assert pool
            assert all(u.startswith("sm.") == (code == "SM") for u in pool)
            assert loaded[code]["Headcount"] > 0
            assert loaded[code]["HistoricalEntry"] > 0
            # Each trust's figures are in the regional benchmark.
            assert TrustBenchmark.objects.filter(trust=trust, year=regional_default_year()).exists()
    # Southmere's own reference prefix: its cases cannot pass for Northbridge's.
    assert trust_policy(trusts["SM"]).reference_prefix == "SM"
    assert all(r.startswith("SM-") for r in cases_of(trusts["SM"]).values())
    assert not any(r.startswith("SM-") for r in cases_of(trusts["NB"]).values())
    # The models' manager filters by trust; under it, on PostgreSQL, the policy
    # alone hides the other trust's rows (the suite connects as the application
    # role, which row-level security binds).
    for trust in trusts.values():
        with trust_entered(trust):
            for model in (Case, Employee, OrgUnit, PoolMember):
                seen = set(model._base_manager.values_list("trust_id", flat=True))
                assert seen == {trust.pk}, model
    with trust_entered(None):  # no trust: the policy shows nothing at all
        assert not Case._base_manager.exists()


def test_each_trusts_people_see_only_their_trusts_cases(loaded: dict[str, Any]) -> None:
    trusts = demo_trusts()
    nb, sm = cases_of(trusts["NB"]), cases_of(trusts["SM"])
    for username, own, other in [("hr1", nb, sm), ("sm.hr1", sm, nb)]:
        client = Client()
        login(client, username)
        shown = listed(client)
        assert shown
        assert shown <= set(own.values())
        assert not shown & set(other.values())
        own_case, other_case = min(own), min(other)
        assert client.get(reverse("cases:detail", args=[own_case])).status_code == 200
        assert client.get(reverse("cases:detail", args=[other_case])).status_code == 404
    # A manager sees their own referrals only, and only in their trust.
    client = Client()
    login(client, "sm.manager1")
    with trust_entered(trusts["SM"]):
        mine = set(
            Case.objects.filter(referring_manager__username="sm.manager1").values_list(
                "reference", flat=True
            )
        )
    assert listed(client) == mine
    # The regional viewer, of no trust, sees both trusts' shared figures.
    client = Client()
    login(client, "regional")
    page = client.get("/regional/").content.decode()
    for trust in trusts.values():
        assert trust.name in page


def test_the_two_trust_login_chooses_then_sees_only_that_trusts_cases(
    loaded: dict[str, Any],
) -> None:
    trusts = demo_trusts()
    client = Client()
    login(client, "hr2")
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("trust-choose"))
    page = client.get(reverse("trust-choose")).content.decode()
    assert trusts["NB"].name in page
    assert trusts["SM"].name in page
    for chosen, other in [("SM", "NB"), ("NB", "SM")]:
        response = client.post(
            reverse("trust-choose"), {"trust": trusts[chosen].pk, "next": reverse("cases:list")}
        )
        assert response.status_code == 302
        own, others = cases_of(trusts[chosen]), cases_of(trusts[other])
        shown = listed(client)
        assert shown
        assert shown <= set(own.values())
        assert client.get(reverse("cases:detail", args=[min(own)])).status_code == 200
        assert client.get(reverse("cases:detail", args=[min(others)])).status_code == 404
