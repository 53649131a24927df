"""Claims of any shape: whatever a provider (or a misconfigured claims
mapping) sends, reading the person and signing them in either refuses the
sign-in cleanly or stores values that fit their fields; never a 500, never a
database error, and a subject too long to store is refused, not cut short
into someone else's."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from staff.models import Employee, SsoIdentity
from staff.services import user_sso_sign_in
from staff.sso import SsoPerson, sso_person_read
from tenancy.context import trust_id_required

from ..factories import EmployeeFactory

ISSUER = "https://idp.test"
CLAIMS = ("sub", "iss", "groups", "email", "given_name", "family_name", "employeeid")

texts = st.one_of(
    st.text(max_size=40),
    st.text(min_size=140, max_size=320),
    st.builds(lambda c, n: c * n, st.characters(), st.integers(0, 10_001)),
    st.builds(lambda a, b: f"{a}\x00{b}", st.text(max_size=10), st.text(max_size=10)),
)
scalars = st.one_of(texts, st.none(), st.booleans(), st.integers(), st.floats())
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
claim_sets = st.fixed_dictionaries({}, optional={name: st.one_of(texts, values) for name in CLAIMS})


def sign_in(person: SsoPerson, roles: frozenset[Role]) -> Any:
    return user_sso_sign_in(
        issuer=person.issuer,
        subject=person.subject,
        roles={trust_id_required(): roles},
        groups_seen=len(person.groups),
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        staff_number=person.staff_number,
    )


def fits(person: SsoPerson) -> bool:
    limits = {
        "issuer": 300,
        "subject": 300,
        "email": 254,
        "first_name": 150,
        "last_name": 150,
        "staff_number": 32,
    }
    return all(
        len(getattr(person, name)) <= limit and "\x00" not in getattr(person, name)
        for name, limit in limits.items()
    )


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(id_claims=claim_sets, userinfo=claim_sets, with_role=st.booleans())
def test_any_claims_are_refused_or_signed_in_never_an_error(
    db: Any, id_claims: dict[str, Any], userinfo: dict[str, Any], with_role: bool
) -> None:
    try:
        person = sso_person_read(id_claims, userinfo)
    except SuspiciousOperation:
        return  # refused: the callback sends the person back to log in
    assert person.subject
    assert fits(person)
    assert all(isinstance(group, str) for group in person.groups)
    with transaction.atomic():
        user = sign_in(person, frozenset({Role.MANAGER}) if with_role else frozenset())
        assert (user is not None) == with_role
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_subject_too_long_to_store_is_refused_not_cut_into_someone_elses() -> None:
    first = "a" * 300
    person = sso_person_read({"sub": first, "iss": ISSUER}, {})
    sign_in(person, frozenset({Role.MANAGER}))
    with pytest.raises(SuspiciousOperation):
        sso_person_read({"sub": first + "b", "iss": ISSUER}, {})
    with pytest.raises(SuspiciousOperation):
        sso_person_read({"sub": "x" * 10_000, "iss": ISSUER}, {})
    assert SsoIdentity.objects.count() == 1


@pytest.mark.django_db
def test_a_staff_number_with_a_nul_byte_links_nothing_and_fails_nothing() -> None:
    EmployeeFactory(staff_number="E1")
    person = sso_person_read({"sub": "s-1", "iss": ISSUER, "employeeid": "E1\x00"}, {})
    assert person.staff_number == ""
    user = sign_in(person, frozenset({Role.MANAGER}))
    assert not Employee.objects.filter(user=user).exists()


def test_groups_of_an_odd_shape_are_no_groups() -> None:
    for groups in ({"g-ftp-hr": True}, None, 3.5, [["g-ftp-hr"]], [{"id": "g-ftp-hr"}]):
        assert sso_person_read({"sub": "s-1", "groups": groups}, {}).groups == frozenset()


def test_an_email_with_a_control_character_or_too_long_is_not_taken() -> None:
    for email in ("a\x00@nhs.test", "a\n@nhs.test", "a" * 250 + "@nhs.test"):
        assert sso_person_read({"sub": "s-1", "email": email}, {}).email == ""
