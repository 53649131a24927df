"""The daily regional refresh. Thin: the rules live in ``regional.services``.

Beat sends ``regional_figures_refresh`` outside any trust; it sends one
``regional_trust_figures_refresh`` per sharing trust from inside that trust,
so the trust travels in the task's headers (``tenancy.tasks``) and each
trust's figures are computed by a worker acting for that trust alone.
"""

from __future__ import annotations

import logging

from celery import shared_task

from tenancy.context import current_trust_id, trust_entered

from .services import (
    regional_default_year,
    regional_trust_refresh,
    regional_withdrawn_prune,
    sharing_trusts,
)

logger = logging.getLogger(__name__)


@shared_task(name="regional.tasks.regional_figures_refresh", acks_late=True)
def regional_figures_refresh(year: int | None = None) -> list[str]:
    """Queue one refresh per sharing trust (or refresh the trust the task
    was sent in). Returns the codes queued."""
    year = year if year is not None else regional_default_year()
    if current_trust_id() is not None:
        regional_trust_refresh(year=year)
        return []
    regional_withdrawn_prune()
    queued = []
    for trust in sharing_trusts():
        with trust_entered(trust):
            regional_trust_figures_refresh.delay(year=year)
        queued.append(trust.code)
    logger.info("regional refresh: %d trusts queued for %d", len(queued), year)
    return queued


@shared_task(
    name="regional.tasks.regional_trust_figures_refresh",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def regional_trust_figures_refresh(year: int) -> bool:
    """Refresh the figures of the trust the task was sent in (its header).
    Safe to run twice. False when the trust no longer shares."""
    return regional_trust_refresh(year=year) is not None
