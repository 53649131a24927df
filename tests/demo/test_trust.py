"""The demo data: local only, idempotent, a login for every role in each
trust, and in Northbridge a case at every stage with every outcome."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F

from accounts.models import Membership
from accounts.roles import Role, holders
from audit.models import AuditEvent
from demo.trust import DEMO_PASSWORD, DEMO_TRUSTS
from regional.services import VIEW_PERMISSION
from staff.ethnicity import EthnicCategory, WresGroup
from staff.models import Employee
from tenancy.context import trust_entered
from workflow.models import Case, Outcome, Stage

from .conftest import demo_trusts, everything, load_demo


def test_loading_twice_adds_nothing(loaded: dict[str, Any]) -> None:
    out = load_demo()
    assert everything() == loaded
    assert out.count("(0 created this run)") == 2
    assert loaded["NB"]["OrgUnit"] == 12
    assert loaded["NB"]["Employee"] == 40
    assert loaded["NB"]["Case"] == 34
    assert loaded["SM"]["OrgUnit"] == 7
    assert loaded["SM"]["Employee"] == 18
    assert loaded["SM"]["Case"] == 12


def test_northbridge_has_every_stage_every_outcome_and_the_awkward_paths(
    loaded: dict[str, Any],
) -> None:
    with trust_entered(demo_trusts()["NB"]):
        assert set(Case.objects.values_list("stage", flat=True)) == set(Stage.values)
        assert set(Case.objects.values_list("outcome", flat=True)) - {""} == set(Outcome.values)
        returned = Case.objects.filter(stage=Stage.SUBMITTED, triage_route="return")
        assert returned.exists(), "a case waiting for its manager after a triage return"
        convened = Case.objects.annotate(n=Count("panels"))
        assert convened.filter(stage=Stage.PANEL, n=0).exists()
        assert convened.filter(stage=Stage.PANEL, n__gt=0).exists()
        redecided = Case.objects.filter(signoffs__approved=False).distinct()
        assert redecided.filter(stage=Stage.CLOSED).exists()
        assert redecided.filter(stage=Stage.FORMAL).exists()
    with trust_entered(demo_trusts()["SM"]):
        # Southmere, smaller, still has a case at every stage.
        assert set(Case.objects.values_list("stage", flat=True)) == set(Stage.values)


def test_every_role_has_a_user_who_can_log_in_in_each_trust(loaded: dict[str, Any]) -> None:
    for trust in demo_trusts().values():
        with trust_entered(trust):
            for role in Role:
                user = holders(role).first()
                assert user is not None, (trust.code, role)
                assert user.check_password(DEMO_PASSWORD)
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    regional = User.objects.get(username="regional")
    assert regional.check_password(DEMO_PASSWORD)
    assert regional.has_perm(VIEW_PERMISSION)
    assert not Membership.objects.filter(user=regional).exists()


def test_each_panel_login_is_linked_to_an_employee_of_the_same_name(
    loaded: dict[str, Any],
) -> None:
    """A login and its employee record are one person: "Priya Shah" signs in,
    and the record a conflict check or a subject access request finds for her
    is Priya Shah's, not another name's."""
    for spec in DEMO_TRUSTS:
        with trust_entered(demo_trusts()[spec.code]):
            for username in spec.pool:
                user = get_user_model().objects.get(username=username)
                linked = Employee.objects.get(user=user)
                assert linked.name == user.get_full_name(), username


def test_every_run_prints_the_logins_with_their_trusts_and_never_an_ethnicity(
    loaded: dict[str, Any],
) -> None:
    out = load_demo()
    for spec in DEMO_TRUSTS:
        for username, _role, _first, _last in spec.users:
            line = re.search(rf"^\s+{re.escape(username)}\s+{DEMO_PASSWORD}\s+\S.*$", out, re.M)
            assert line is not None, username
            assert spec.code in line.group(0), username
    assert re.search(rf"^\s+hr2\s+{DEMO_PASSWORD}\s+HR adviser\s+\[NB, SM\]$", out, re.M)
    for username in ["admin", "regional"]:
        assert re.search(rf"^\s+{username}\s+{DEMO_PASSWORD}\s+\S", out, re.M), username
    assert "Regional figures refreshed for NB, SM" in out
    for label in [*EthnicCategory.labels, *WresGroup.labels]:
        assert label not in out


def test_every_case_has_a_process_an_audit_path_and_dates_that_agree(
    loaded: dict[str, Any],
) -> None:
    for code, trust in demo_trusts().items():
        with trust_entered(trust):
            events = Case.objects.annotate(n=Count("events"))
            assert not events.filter(n=0).exists()
            first = AuditEvent.objects.filter(action="submit").count()
            assert first == loaded[code]["Case"] == loaded[code]["Process"]
            # Terminal cases' last event says where they ended.
            for case in Case.objects.filter(stage__in=[Stage.FORMAL, Stage.CLOSED]):
                last = case.events.order_by("-at", "-id").first()
                assert last is not None
                assert last.to_stage == case.stage
    with trust_entered(demo_trusts()["NB"]):
        dates = sorted(Case.objects.values_list("submitted_at", flat=True))
        assert (dates[-1] - dates[0]).days > 180
        # The decision and the sign-off that let a case into formal come before it.
        for case in Case.objects.filter(stage=Stage.FORMAL):
            assert case.formal_commissioned_at is not None
            signed = case.signoffs.filter(approved=True).get()
            assert case.submitted_at < signed.decision.decided_at <= signed.signed_at
            assert signed.signed_at <= case.formal_commissioned_at
        assert not Case.objects.filter(updated_at__lt=F("submitted_at")).exists()
