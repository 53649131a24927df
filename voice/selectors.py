"""Reading the employee's voice on a case (``workflow.access.AccountVisible``).

``account_card`` is what the case page, the chair's decision form and a
cleared member's view show: when and how the employee was told, their
accounts (newest first, a bounded page), and the state of their link. It is
None for anyone the rule does not admit, so a template cannot print it by
mistake. ``has_account`` is the fact the panel's decision checks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from workflow.access import AccountVisible

from .actions import STAGES_BEFORE_DECISION
from .links import link_state
from .models import AccountLink, EmployeeAccount, EmployeeTold

if TYPE_CHECKING:
    from accounts.types import Viewer
    from workflow.models import Case

# The newest accounts a card lists; a case rarely has more than two or three.
ACCOUNTS_SHOWN = 10


def has_account(case_id: int) -> bool:
    """Whether any account of the employee's is on the case (one indexed probe)."""
    return EmployeeAccount.objects.filter(case_id=case_id).exists()


@dataclass(frozen=True)
class LinkStatus:
    state: str  # links.LinkState
    issued_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    revoked_why: str
    emailed: bool


@dataclass(frozen=True)
class AccountCard:
    told: EmployeeTold | None
    told_corrections: bool
    accounts: list[EmployeeAccount]
    more_accounts: bool
    link: LinkStatus | None


def account_card(user: Viewer, case: Case) -> AccountCard | None:
    """The employee's voice on ``case`` as ``user`` may see it, or None."""
    if not AccountVisible.allows(user, case):
        return None
    told = list(EmployeeTold.objects.filter(case_id=case.pk).select_related("recorded_by")[:2])
    accounts = list(
        EmployeeAccount.objects.filter(case_id=case.pk).select_related("recorded_by", "document")[
            : ACCOUNTS_SHOWN + 1
        ]
    )
    latest = AccountLink.objects.filter(case_id=case.pk).first()
    return AccountCard(
        told=told[0] if told else None,
        told_corrections=len(told) > 1,
        accounts=accounts[:ACCOUNTS_SHOWN],
        more_accounts=len(accounts) > ACCOUNTS_SHOWN,
        link=_status(latest, case) if latest is not None else None,
    )


def _status(link: AccountLink, case: Case) -> LinkStatus:
    return LinkStatus(
        state=link_state(
            used_at=link.used_at,
            revoked_at=link.revoked_at,
            expires_at=link.expires_at,
            case_before_decision=case.stage in STAGES_BEFORE_DECISION,
            now=timezone.now(),
        ),
        issued_at=link.issued_at,
        expires_at=link.expires_at,
        used_at=link.used_at,
        revoked_at=link.revoked_at,
        revoked_why=link.get_revoked_why_display() if link.revoked_why else "",
        emailed=link.emailed,
    )


def accounts_for_subject_access(case_ids: list[int]) -> list[EmployeeAccount]:
    """The accounts on ``case_ids`` (the employee's own words, for their
    subject access pack), oldest first."""
    return list(
        EmployeeAccount.objects.filter(case_id__in=case_ids)
        .select_related("document")
        .order_by("case_id", "recorded_at", "id")
    )
