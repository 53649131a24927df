"""Writes of the regional benchmark (ADR 0020, docs/regional.md).

A trust's figures are computed only inside that trust
(``regional_trust_refresh`` needs the trust entered) from its own governance
pack, so that on PostgreSQL the row-level security policies guarantee that
nothing of another trust is read; what is written is already suppressed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from accounts.types import Actor
from audit.models import EventType
from audit.services import audit_record
from reports.early_warning import early_warning
from reports.grouping import wres_year_of
from reports.pack import governance_pack
from speakup.report import Quarter, ftsu_shared_figures
from tenancy.context import trust_entered, trust_id_required
from tenancy.models import Trust

from .figures import early_warning_figures, ftsu_figures, shared_figures
from .models import BenchmarkFigure, TrustBenchmark

VIEWER_GROUP = "Regional viewer"
VIEW_PERMISSION = "regional.view_regional_benchmark"
# The early warning's window, as the trust's own command and pages default to.
WARNING_MONTHS = 24


def regional_default_year(today: dt.date | None = None) -> int:
    """The last complete WRES year: what a trust's governance pack opens on."""
    return wres_year_of(today or timezone.localdate()) - 1


def regional_trust_refresh(*, year: int) -> TrustBenchmark | None:
    """Compute the current trust's figures for WRES ``year`` and store them.

    Calls the trust's own ``governance_pack`` with the page's defaults
    (suppressed, as a governance viewer sees it) and keeps its trust-wide
    figures; adds how many units are in each early-warning band today and
    the trust's FTSU counts for the latest complete quarter, both suppressed
    with the trust's threshold before they are stored. A trust that does not
    share has its stored figures removed and None comes back. Safe to run
    twice: the year's row is locked, its figures replaced."""
    trust = Trust.objects.get(pk=trust_id_required())
    if not trust.shares_with_region:
        TrustBenchmark.objects.filter(trust=trust).delete()
        return None
    pack = governance_pack(year=year, suppressed=True)
    # The early warning and the FTSU quarter are the trust's position on the
    # day of the refresh, whichever WRES year is refreshed (docs/regional.md).
    today = timezone.localdate()
    quarter = Quarter.latest_complete(today)
    figures = [
        *shared_figures(pack),
        *early_warning_figures(early_warning(today, WARNING_MONTHS), pack.threshold),
        *ftsu_figures(ftsu_shared_figures(quarter)),
    ]
    with transaction.atomic():
        benchmark, _ = TrustBenchmark.objects.update_or_create(
            trust=trust,
            year=year,
            defaults={
                "funnel_start": pack.start,
                "funnel_end": pack.end,
                "threshold": pack.threshold,
                "computed_at": timezone.now(),
                "early_warning_as_at": today,
                "ftsu_year": quarter.year,
                "ftsu_quarter": quarter.quarter,
            },
        )
        benchmark.figures.all().delete()
        BenchmarkFigure.objects.bulk_create(
            BenchmarkFigure(
                benchmark=benchmark,
                section=f.section,
                window=f.window,
                group=f.group,
                measure=f.measure,
                value=f.value,
                suppressed=f.suppressed,
            )
            for f in figures
        )
    return benchmark


def sharing_trusts() -> list[Trust]:
    return list(Trust.objects.filter(shares_with_region=True).order_by("code"))


def regional_withdrawn_prune() -> int:
    """Remove the figures of every trust that no longer shares. (The pages
    already hide them: they read only sharing trusts.)"""
    deleted, _ = TrustBenchmark.objects.filter(trust__shares_with_region=False).delete()
    return deleted


def regional_refresh(
    *, year: int | None = None, trusts: Iterable[Trust] | None = None
) -> list[str]:
    """Refresh every sharing trust (or ``trusts``) in turn, each inside its
    own trust; returns the codes refreshed. The command's way; beat sends
    one task per trust instead (``regional.tasks``)."""
    year = year if year is not None else regional_default_year()
    regional_withdrawn_prune()
    done = []
    for trust in trusts if trusts is not None else sharing_trusts():
        with trust_entered(trust):
            if regional_trust_refresh(year=year) is not None:
                done.append(trust.code)
    return done


@transaction.atomic
def regional_export_record(*, actor: Actor, fmt: str, year: int, trust_ids: Iterable[int]) -> None:
    """Record a download of the regional pack in the audit log of every trust
    whose figures it holds, each inside its own trust: each trust's chain
    shows who took its figures out and when."""
    payload: dict[str, Any] = {
        "kind": "regional_pack",
        "format": fmt,
        "year": year,
        "suppressed": True,
    }
    for trust_id in trust_ids:
        with trust_entered(trust_id):
            audit_record(case=None, actor=actor, action=EventType.EXPORT, payload=payload)


@transaction.atomic
def regional_viewer_grant(*, user: Actor, remove: bool = False) -> None:
    """Give ``user`` the deployment-wide regional viewer role (or take it away)."""
    group = regional_viewer_group()
    if remove:
        user.groups.remove(group)
    else:
        user.groups.add(group)


def regional_viewer_group() -> Group:
    """The "Regional viewer" group, holding the one permission the pages ask for
    (made by the migration; made again here if someone deleted it)."""
    group, _ = Group.objects.get_or_create(name=VIEWER_GROUP)
    app_label, codename = VIEW_PERMISSION.split(".")
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    group.permissions.add(permission)
    return group
