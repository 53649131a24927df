"""For generated people and cases, the case file's audience rule
(``workflow.access.FileVisible``) has two forms that agree, and the
document list and downloads follow it.

The people and cases are tests/workflow/test_access_rules.py's (random
roles, one or two cases walked through the services to a random point, each
member yet to declare, cleared or stood down). Each case gets one document
of each audience; then for every person, case and audience: ``allows`` ⇔
the row matches ``q`` ⇔ ``documents_for`` lists it ⇔ ``document_open``
hands it out. Each example runs in a savepoint rolled back at its end.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role, has_role
from casefile.models import Document
from casefile.selectors import documents_for
from casefile.services import document_add, document_open
from core.errors import NotFound
from workflow.access import FileAudience, FileVisible

from ..workflow.steps import fresh
from ..workflow.test_access_rules import CasePlan, _build, _loaded, _person, people_st, plan_st
from .documents import PDF, documents_dir

__all__ = ["documents_dir"]


def _documents(case: Any, hr: Any) -> list[Document]:
    return [
        document_add(
            case_id=case.pk,
            actor=hr,
            title=f"For {audience.label}",
            kind="other",
            audience=audience,
            name="x.pdf",
            data=PDF,
        )
        for audience in FileAudience
    ]


def _opens(user: Any, document: Document) -> bool:
    try:
        document_open(actor=user, case_id=document.case_id, document_id=document.pk, number=1)
    except NotFound:
        return False
    return True


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(roles=people_st, plans=st.lists(plan_st, min_size=1, max_size=2))
def test_the_audience_rule_s_two_forms_agree_and_lists_and_downloads_follow_it(
    cast: Any, roles: list[set[Role]], plans: list[CasePlan]
) -> None:
    with transaction.atomic():
        people = [_person(r) for r in roles]
        managers = [p for p in people if has_role(p, Role.MANAGER)] or [cast.manager]
        panelists = [p for p in people if has_role(p, Role.PANEL)] + [
            _person({Role.PANEL}) for _ in range(3)
        ]
        cases = [fresh(_build(plan, managers, panelists, cast)) for plan in plans]
        documents = {case.pk: _documents(case, cast.hr) for case in cases}
        for user in dict.fromkeys([*people, cast.hr, cast.director, *managers, *panelists]):
            matched = set(Document.objects.filter(FileVisible.q(user)).values_list("pk", flat=True))
            for case in cases:
                loaded = _loaded(case)
                listed = {d.pk for d in documents_for(user, case)}
                for document in documents[case.pk]:
                    allowed = FileVisible.allows(user, loaded, document.audience)
                    where = (user, case.stage, document.audience)
                    assert (document.pk in matched) == allowed, where
                    assert (document.pk in listed) == allowed, where
                    assert _opens(user, document) == allowed, where
        transaction.set_rollback(True)
