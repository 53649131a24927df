"""Celery carries the trust with each task (ADR 0020).

A task sent while a trust is entered takes that trust's id in its message
headers, and runs inside that trust on the worker; the trust is left when the
task ends, so a worker's next task starts in none. Beat's sweeps are sent
outside any trust and go through every trust in turn
(``tenancy.services.for_each_trust``).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun

from .context import current_trust_id, trust_entered

HEADER = "ftp_trust"

_entered: dict[str, AbstractContextManager[None]] = {}


@before_task_publish.connect(dispatch_uid="tenancy-stamp")
def _stamp(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if headers is not None and HEADER not in headers:
        headers[HEADER] = current_trust_id()


@task_prerun.connect(dispatch_uid="tenancy-enter")
def _enter(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    trust_id = getattr(getattr(task, "request", None), HEADER, None)
    if task_id is None or trust_id is None:
        # Sent outside a trust, or run eagerly in the caller's own trust.
        return
    entered = trust_entered(int(trust_id))
    entered.__enter__()
    _entered[task_id] = entered


@task_postrun.connect(dispatch_uid="tenancy-leave")
def _leave(task_id: str | None = None, **kwargs: Any) -> None:
    entered = _entered.pop(task_id or "", None)
    if entered is not None:
        entered.__exit__(None, None, None)
