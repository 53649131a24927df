"""Which roles a sign-in gives: exactly the mapped roles of the person's
groups, for any groups and any role map; none, and the sign-in is refused.
Held afresh at every sign-in, through the same path as ``add_user``."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role, user_roles
from audit.models import AuditEvent
from staff.events import SsoAuditEvent
from staff.models import SsoIdentity
from staff.services import user_sso_sign_in
from staff.sso import roles_for
from tenancy.context import trust_id_required

ROLES = [role.value for role in Role]
groups = st.text(alphabet="abcdefgh-", min_size=1, max_size=4)
role_maps = st.dictionaries(groups, st.frozensets(st.sampled_from(ROLES), min_size=1), max_size=6)


@given(role_map=role_maps, held=st.frozensets(groups, max_size=8))
def test_the_roles_given_are_the_mapped_roles_of_the_groups_held(
    role_map: dict[str, frozenset[str]], held: frozenset[str]
) -> None:
    expected = {Role(v) for group, values in role_map.items() if group in held for v in values}
    assert roles_for(held, role_map) == expected
    # Refused (no role) exactly when no group held is in the map.
    assert (roles_for(held, role_map) == frozenset()) == held.isdisjoint(role_map)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=st.frozensets(st.sampled_from(list(Role))),
    then=st.frozensets(st.sampled_from(list(Role))),
)
def test_a_sign_in_holds_exactly_the_roles_it_is_given_or_is_refused(
    db: Any, first: frozenset[Role], then: frozenset[Role]
) -> None:
    subject = str(uuid.uuid4())
    refusals = AuditEvent.objects.filter(action=SsoAuditEvent.REFUSED).count()
    for roles in (first, then):
        user = user_sso_sign_in(
            issuer="https://idp.test",
            subject=subject,
            roles={trust_id_required(): roles},
            groups_seen=3,
        )
        if roles:
            assert user is not None
            assert user_roles(user) == roles
        else:
            assert user is None
            refusals += 1
        assert AuditEvent.objects.filter(action=SsoAuditEvent.REFUSED).count() == refusals


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_first_sign_ins_of_one_person_at_once_make_one_login() -> None:
    """Two tabs signing in for the first time together: the second insert
    waits for the first transaction, is refused as a duplicate, and carries
    on with the identity the first made, instead of failing."""
    subject = str(uuid.uuid4())
    trust_id = trust_id_required()
    started = threading.Barrier(2)
    users: list[Any] = []
    errors: list[BaseException] = []

    def sign_in() -> None:
        try:
            with transaction.atomic():
                started.wait(timeout=10)
                user = user_sso_sign_in(
                    issuer="https://idp.test",
                    subject=subject,
                    roles={trust_id: frozenset({Role.HR})},
                    groups_seen=1,
                    email="tab@example.nhs.uk",
                )
                time.sleep(0.2)  # hold the transaction open while the other inserts
                users.append(user)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_in) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(users) == 2
    assert users[0].pk == users[1].pk
    assert SsoIdentity.objects.filter(subject=subject).count() == 1


@pytest.mark.django_db
def test_a_first_sign_in_never_takes_a_break_glass_name(settings: Any) -> None:
    settings.FTP_BREAK_GLASS_USERNAMES = frozenset({"Ops@Example.nhs.uk"})
    trust_id = trust_id_required()
    user = user_sso_sign_in(
        issuer="https://idp.test",
        subject=str(uuid.uuid4()),
        roles={trust_id: frozenset({Role.HR})},
        groups_seen=1,
        email="ops@example.nhs.uk",
    )
    assert user is not None
    assert user.get_username().startswith("sso-")
