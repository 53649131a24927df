"""The demo's two trusts, loaded by the command as `make run` loads them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from viewflow.workflow.models import Process, Task

from accounts.models import Membership
from audit.models import AuditEvent
from panels.models import Panel, PanelDecision, PoolMember
from reports.models import Headcount, HistoricalEntry
from staff.models import Employee, OrgUnit
from tenancy.context import trust_entered
from tenancy.models import Trust
from workflow.models import Case, SignOff

from ..conftest import shared_by_module

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


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo, loaded once for the module as ``make run`` loads it; what it
    holds, by trust code (and the global rows).

    Loaded inside a transaction rolled back when the module ends, so the rest
    of the suite never sees it; each test runs in a savepoint of it (``db``),
    so what one test adds (a second load, a login) is gone for the next. A
    module whose tests use it holds no test that needs the demo absent
    (``test_load_guards.py`` has those). The trust every test acts for
    (``_tenant``) is made first, as it is when a test loads the demo itself.
    """
    with shared_by_module(django_db_blocker):
        with override_settings(FTP_DEMO_DATA_ALLOWED=True):
            Trust.objects.get_or_create(code="RAL", defaults={"name": "Royal Test Trust"})
            load_demo()
            held = everything()
        yield held


@pytest.fixture
def loaded(demo_loaded: dict[str, Any], db: None, demo_allowed: None) -> dict[str, Any]:
    """The module's demo (``demo_loaded``), in this test's savepoint."""
    return demo_loaded
