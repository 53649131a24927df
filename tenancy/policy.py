"""The current trust's policy: the one reader (ADR 0020, docs/tenancy.md).

Every rule that was an environment setting and is a trust's choice (panel
size and composition, time limits, reminders, bank holidays, suppression,
the WRES window, the reference prefix, retention, subject access naming,
the SSO role map) is read here, for the trust being acted for::

    from tenancy.policy import trust_policy
    limit = trust_policy().step_time_limits["triage"]

The environment's settings are only the defaults a new trust starts with
(``policy_defaults``, the one place they are read). A policy is read once
per trust per request or task and kept until either ends, or until a
policy is saved (``policy_forget``).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .context import trust_id_required
from .models import Trust, TrustPolicy
from .policy_values import role_map_stored

# Each policy field and the setting its default comes from.
DEFAULT_SETTINGS: dict[str, str] = {
    "panel_min_members": "FTP_PANEL_MIN_MEMBERS",
    "panel_max_members": "FTP_PANEL_MAX_MEMBERS",
    "panel_min_independent": "FTP_PANEL_MIN_INDEPENDENT",
    "panel_min_outside_icsu": "FTP_PANEL_MIN_OUTSIDE_ICSU",
    "panel_min_network": "FTP_PANEL_MIN_NETWORK",
    "panel_chair_min_band": "FTP_PANEL_CHAIR_MIN_BAND",
    "panel_quorum": "FTP_PANEL_QUORUM",
    "reference_prefix": "FTP_REFERENCE_PREFIX",
    "step_time_limits": "FTP_STEP_TIME_LIMITS",
    "reminder_working_days_before": "FTP_REMINDER_WORKING_DAYS_BEFORE",
    "escalate_decision_maker_after_working_days": "FTP_ESCALATE_DECISION_MAKER_AFTER_WORKING_DAYS",
    "bank_holiday_region": "FTP_BANK_HOLIDAY_REGION",
    "report_suppression_threshold": "FTP_REPORT_SUPPRESSION_THRESHOLD",
    "wres_window": "FTP_WRES_WINDOW",
    "retention_years": "FTP_RETENTION_YEARS",
    "sar_name_staff_in_role": "FTP_SAR_NAME_STAFF_IN_ROLE",
    "sso_role_map": "FTP_OIDC_ROLE_MAP",
    "decision_without_account": "FTP_DECISION_WITHOUT_ACCOUNT",
    "wellbeing_checkin_working_days": "FTP_WELLBEING_CHECKIN_WORKING_DAYS",
    "suspension_review_working_days": "FTP_SUSPENSION_REVIEW_WORKING_DAYS",
}

_cache: ContextVar[dict[int, TrustPolicy] | None] = ContextVar("ftp_trust_policy", default=None)


def policy_defaults() -> dict[str, Any]:
    """A new trust's policy: the environment's settings, as the policy holds them."""
    values = {field: getattr(settings, name) for field, name in DEFAULT_SETTINGS.items()}
    values["step_time_limits"] = {k: int(v) for k, v in values["step_time_limits"].items()}
    values["retention_years"] = {k: int(v) for k, v in values["retention_years"].items()}
    values["sso_role_map"] = role_map_stored(values["sso_role_map"])
    values["wres_window"] = int(values["wres_window"])
    return values


def policy_for_new_trust(trust: Trust) -> TrustPolicy:
    """Give ``trust`` its policy from the defaults, checked (once: a trust
    that has one keeps it)."""
    existing = TrustPolicy.objects.filter(trust=trust).first()
    if existing is not None:
        return existing
    policy = TrustPolicy(trust=trust, **policy_defaults())
    policy.full_clean()
    policy.save(force_insert=True)
    return policy


def trust_policy(trust: Trust | int | None = None) -> TrustPolicy:
    """The policy of ``trust``, by default the trust being acted for (raises
    ``NoTrustEntered`` outside any trust: no rule is guessed)."""
    trust_id = trust_id_required() if trust is None else _trust_id(trust)
    cache = _cache.get()
    if cache is None:
        cache = {}
        _cache.set(cache)
    policy = cache.get(trust_id)
    if policy is None:
        policy = TrustPolicy.objects.filter(trust_id=trust_id).first()
        if policy is None:
            # A trust made before policies existed, or by a bulk insert.
            with transaction.atomic():
                policy = policy_for_new_trust(Trust.objects.get(pk=trust_id))
        cache[trust_id] = policy
    return policy


def _trust_id(trust: Trust | int) -> int:
    return trust if isinstance(trust, int) else int(trust.pk)


def sso_role_map(trust: Trust | int | None = None) -> dict[str, frozenset[str]]:
    """``trust``'s single sign-on role map: provider group -> role values
    (staff.sso.roles_for reads this shape)."""
    return trust_policy(trust).roles_by_group()


def policy_forget(trust_id: int | None = None) -> None:
    """Drop the policies read so far (one trust's, or all): the next
    ``trust_policy()`` reads the database again."""
    cache = _cache.get()
    if cache is None:
        return
    if trust_id is None:
        cache.clear()
    else:
        cache.pop(trust_id, None)


def _forget_all(**kwargs: Any) -> None:
    _cache.set(None)


def _forget_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    policy_forget(instance.pk)


def _trust_created(
    sender: Any, instance: Trust, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        policy_for_new_trust(instance)


def signals_connect() -> None:
    """Called from TenancyConfig.ready."""
    from celery.signals import task_postrun, task_prerun

    post_save.connect(_trust_created, sender=Trust, dispatch_uid="tenancy-policy-new")
    post_save.connect(_forget_saved, sender=TrustPolicy, dispatch_uid="tenancy-policy-saved")
    post_delete.connect(_forget_saved, sender=TrustPolicy, dispatch_uid="tenancy-policy-gone")
    post_delete.connect(_forget_saved, sender=Trust, dispatch_uid="tenancy-trust-gone")
    request_started.connect(_forget_all, dispatch_uid="tenancy-policy-request-start")
    request_finished.connect(_forget_all, dispatch_uid="tenancy-policy-request-end")
    task_prerun.connect(_forget_all, dispatch_uid="tenancy-policy-task-start", weak=False)
    task_postrun.connect(_forget_all, dispatch_uid="tenancy-policy-task-end", weak=False)
