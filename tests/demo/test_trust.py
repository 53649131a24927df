"""The demo data: local only, idempotent, and a case at every stage with every outcome."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F
from viewflow.workflow.models import Process, Task

from accounts.roles import Role
from audit.models import AuditEvent
from demo.trust import DEMO_PASSWORD
from panels.models import Panel, PanelDecision
from staff.ethnicity import EthnicCategory, WresGroup
from staff.models import Employee, OrgUnit
from workflow.models import Case, Outcome, SignOff, Stage

MODELS = [
    OrgUnit,
    Employee,
    get_user_model(),
    Case,
    AuditEvent,
    Panel,
    PanelDecision,
    SignOff,
    Process,
    Task,
]


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture
def demo_allowed(settings: Any) -> None:
    settings.FTP_DEMO_DATA_ALLOWED = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded(db: None, demo_allowed: None) -> dict[str, int]:
    load_demo()
    return counts()


def test_loading_twice_leaves_the_same_data(loaded: dict[str, int]) -> None:
    load_demo()
    assert counts() == loaded
    assert loaded["OrgUnit"] == 12
    assert loaded["Employee"] == 40
    assert loaded["Case"] >= 30


def test_every_stage_and_every_outcome_is_present(loaded: dict[str, int]) -> None:
    assert set(Case.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(Case.objects.values_list("outcome", flat=True)) - {""} == set(Outcome.values)


def test_the_awkward_paths_are_there(loaded: dict[str, int]) -> None:
    returned = Case.objects.filter(stage=Stage.SUBMITTED, triage_route="return")
    assert returned.exists(), "a case waiting for its manager after a triage return"
    convened = Case.objects.annotate(n=Count("panels"))
    assert convened.filter(stage=Stage.PANEL, n=0).exists()
    assert convened.filter(stage=Stage.PANEL, n__gt=0).exists()
    redecided = Case.objects.filter(signoffs__approved=False).distinct()
    assert redecided.filter(stage=Stage.CLOSED).exists()
    assert redecided.filter(stage=Stage.FORMAL).exists()


def test_every_role_has_a_user_who_can_log_in(loaded: dict[str, int]) -> None:
    User = get_user_model()
    for role in Role:
        user = User.objects.filter(groups__name=role.group_name).first()
        assert user is not None, role
        assert user.check_password(DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff


def test_every_run_prints_the_logins_and_never_an_ethnicity(loaded: dict[str, int]) -> None:
    out = load_demo()
    for username in [
        "manager1",
        "manager3",
        "hr1",
        "hr2",
        "panel1",
        "panel5",
        "director",
        "governance",
        "admin",
    ]:
        assert re.search(rf"^\s+{username}\s+{DEMO_PASSWORD}\s+\S", out, re.M), username
    for label in [*EthnicCategory.labels, *WresGroup.labels]:
        assert label not in out


def test_every_case_has_a_process_and_an_audit_path(loaded: dict[str, int]) -> None:
    events = Case.objects.annotate(n=Count("events"))
    assert not events.filter(n=0).exists()
    first = AuditEvent.objects.filter(action="submit").count()
    assert first == loaded["Case"] == loaded["Process"]
    # Terminal cases' last event says where they ended.
    for case in Case.objects.filter(stage__in=[Stage.FORMAL, Stage.CLOSED]):
        last = case.events.order_by("-at", "-id").first()
        assert last is not None
        assert last.to_stage == case.stage


def test_dates_are_spread_over_the_past_year_and_agree(loaded: dict[str, int]) -> None:
    dates = sorted(Case.objects.values_list("submitted_at", flat=True))
    assert (dates[-1] - dates[0]).days > 180
    # The decision and the sign-off that let a case into formal come before it.
    for case in Case.objects.filter(stage=Stage.FORMAL):
        assert case.formal_commissioned_at is not None
        signed = case.signoffs.filter(approved=True).get()
        assert case.submitted_at < signed.decision.decided_at <= signed.signed_at
        assert signed.signed_at <= case.formal_commissioned_at
    assert not Case.objects.filter(updated_at__lt=F("submitted_at")).exists()


def test_refuses_without_the_flag_and_writes_nothing(db: None, settings: Any) -> None:
    settings.FTP_DEMO_DATA_ALLOWED = False
    before = counts()
    with pytest.raises(CommandError, match="FTP_ENV=local"):
        load_demo()
    assert counts() == before
