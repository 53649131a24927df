"""Reads for the case owners page: the trust's HR advisers and their open cases."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.roles import Role, holders

from .models import Stage

# The owners page's order (``core.paging``): by username, then id.
OWNERS_ORDER = ("username", "id")


def owners_with_open_cases() -> QuerySet[Any]:
    """The trust's HR advisers, each with ``open_cases``: how many open cases
    they own. One query per page: the count is a column of each row."""
    open_owned = Q(
        owned_cases__stage__in=Stage.open_values(), owned_cases__destroyed_at__isnull=True
    )
    advisers: QuerySet[Any] = holders(Role.HR)
    counted: QuerySet[Any] = advisers.annotate(open_cases=Count("owned_cases", filter=open_owned))
    return counted


def hr_advisers() -> QuerySet[Any]:
    """The trust's HR advisers, by name: who may own a case."""
    advisers: QuerySet[Any] = holders(Role.HR)
    return advisers.order_by("last_name", "first_name", "username")
