"""The shared cast: a referring manager, an HR adviser, three panel members,
a director who signs off, a governance viewer, and an outsider with no role.

The three panel members are a pool that meets the default panel rules for the
test employee (Emergency Department, Medicine ICSU): each may chair (band 8a
or above), Paul is a trained independent member from another ICSU (Surgery),
and nobody works in the employee's department or manages them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from accounts.roles import Role
from accounts.trusts import hosts_forget
from tenancy.context import trust_entered
from tenancy.models import Trust
from tenancy.selectors import trust_names_forget

from .db_roles import APP_ROLE, app_role_prepare, connect_as
from .factories import EmployeeFactory, in_pool, make_user, other_units


@dataclass
class Cast:
    manager: Any
    other_manager: Any
    hr: Any
    panel_a: Any
    panel_b: Any
    panel_c: Any
    director: Any
    governance: Any
    outsider: Any

    @property
    def panel(self) -> list[Any]:
        return [self.panel_a, self.panel_b, self.panel_c]


@pytest.fixture(scope="session", autouse=True)
def _case_documents_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Case documents any test stores (the security world's among them) go
    to a temporary folder, never the project's var/ (casefile; ADR 0024)."""
    from django.conf import settings
    from django.test import override_settings

    location = str(tmp_path_factory.mktemp("case-documents"))
    store = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": location, "base_url": None},
    }
    with override_settings(STORAGES={**settings.STORAGES, "case_documents": store}):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # The cast is made with real passwords; PBKDF2 at full strength costs a
    # quarter of a second per person, which the tests do not need.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The test database as pytest-django makes it (as the owner), then every
    connection as the application role, which row-level security binds
    (tests/db_roles.py)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    from django.conf import settings

    with django_db_blocker.unblock():
        app_role_prepare()
        owned = dict(connection.settings_dict)
        owner = connect_as(APP_ROLE)
    # What runs as the owner in production runs as the owner here: flush
    # between transactional tests, migrate (tenancy/roles.py).
    settings.DATABASE_MIGRATE = {k: owned[k] for k in ("USER", "PASSWORD", "HOST", "PORT")}
    yield
    settings.DATABASE_MIGRATE = None
    with django_db_blocker.unblock():
        connect_as(owner)


# Fixtures that give a test the database: a test using any of them acts for a trust.
_DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


@pytest.fixture(autouse=True)
def _tenant(request: pytest.FixtureRequest) -> Iterator[Trust | None]:
    """Every test that uses the database acts for a trust, as every request,
    task and command does (tenancy/, ADR 0020): rows it makes are that trust's
    and it reads only that trust's rows. A test about two trusts enters the
    other with ``trust_entered`` (``other_trust``)."""
    wants_database = request.node.get_closest_marker("django_db") is not None or bool(
        _DATABASE_FIXTURES & set(request.fixturenames)
    )
    if not wants_database:
        yield None
        return
    request.getfixturevalue("_django_db_helper")
    trust, _ = Trust.objects.get_or_create(code="RAL", defaults={"name": "Royal Test Trust"})
    with trust_entered(trust):
        yield trust


@pytest.fixture
def trust(_tenant: Trust | None) -> Trust:
    """The trust the test acts for."""
    assert _tenant is not None
    return _tenant


@pytest.fixture
def other_trust(_tenant: Trust | None) -> Trust:
    """A second trust, for tests that two trusts' rows stay apart."""
    other, _ = Trust.objects.get_or_create(code="RBX", defaults={"name": "Other Test Trust"})
    return other


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    # Login-failure counters live in the cache (Redis under FTP_ENV=test, its
    # own database, never the broker's): one test's failed logins must not
    # lock the next test's people out.
    cache.clear()
    # Trusts' names and host names are kept a minute per process: read afresh
    # by each test's first request, so none expires between two requests a
    # test compares (a query count once differed by that one read).
    hosts_forget()
    trust_names_forget()
    yield
    cache.clear()


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextmanager
def shared_by_module(django_db_blocker: Any) -> Iterator[None]:
    """For what a module's tests share (a module-scoped fixture): a
    transaction rolled back when the module is done, so the rest of the suite
    never sees it. Each test, asking for ``db``, runs in a savepoint of it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


def make_cast() -> Cast:
    """The usual people, each with their role, and three in the panel pool."""
    people = Cast(
        manager=make_user("maya.manager", Role.MANAGER),
        other_manager=make_user("omar.manager", Role.MANAGER),
        hr=make_user("hana.hr", Role.HR),
        panel_a=make_user("priya.panel", Role.PANEL),
        panel_b=make_user("paul.panel", Role.PANEL),
        panel_c=make_user("pat.panel", Role.PANEL),
        director=make_user("dina.director", Role.DECISION_MAKER),
        governance=make_user("gill.governance", Role.GOVERNANCE),
        outsider=make_user("olly.outsider"),
    )
    units = other_units()
    in_pool(people.panel_a, unit=units["same_icsu"], band="8a")
    in_pool(
        people.panel_b,
        unit=units["other_icsu"],
        band="8b",
        trained=True,
        networks=("Race equality network",),
    )
    in_pool(people.panel_c, unit=units["same_icsu"], band="8a")
    return people


@pytest.fixture
def employee(db: None) -> Any:
    return EmployeeFactory()
