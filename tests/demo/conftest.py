"""The demo's two trusts, loaded by the command as `make run` loads them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from viewflow.workflow.models import Process, Task

from accounts.models import Membership
from audit.models import AuditEvent
from panels.models import Panel, PanelDecision, PoolMember
from reports.models import Headcount, HistoricalEntry
from staff.models import Employee, OrgUnit
from tenancy.context import trust_entered
from tenancy.models import Trust
from workflow.models import Case, SignOff

# Rows of a trust's data, counted inside the trust.
TRUST_MODELS = [
    OrgUnit,
    Employee,
    Case,
    AuditEvent,
    Panel,
    PanelDecision,
    PoolMember,
    SignOff,
    Process,
    Task,
    Headcount,
    HistoricalEntry,
]


def counts(trust: Trust) -> dict[str, int]:
    with trust_entered(trust):
        return {m.__name__: m.objects.count() for m in TRUST_MODELS}


def everything() -> dict[str, Any]:
    """Every demo trust's counts, and the global rows: trusts, users, memberships."""
    trusts = demo_trusts()
    return {
        **{code: counts(trust) for code, trust in trusts.items()},
        "Trust": Trust.objects.count(),
        "User": get_user_model().objects.count(),
        "Membership": Membership.objects.count(),
    }


def demo_trusts() -> dict[str, Trust]:
    return {t.code: t for t in Trust.objects.filter(code__in=["NB", "SM"])}


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_allowed(settings: Any) -> None:
    settings.FTP_DEMO_DATA_ALLOWED = True


@pytest.fixture
def loaded(db: None, demo_allowed: None) -> dict[str, Any]:
    """The demo, loaded once; what it holds, by trust code (and the global rows)."""
    load_demo()
    return everything()
