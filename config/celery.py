"""The Celery app, wired in one place: serialisation, limits and the schedule."""

from __future__ import annotations

import os

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("ftp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_time_limit=300,
    task_soft_time_limit=240,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    timezone="Europe/London",
)
app.autodiscover_tasks()


@signals.setup_logging.connect
def _log_as_the_web_does(**kwargs: object) -> None:
    """The worker and beat log through the settings' ``LOGGING`` (JSON in
    production, the request id filter) instead of Celery's own plain format
    on the root logger; ``LOG_LEVEL`` sets the level, not ``--loglevel``."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@app.on_after_finalize.connect
def _declare_schedule(sender: Celery, **kwargs: object) -> None:
    """Every periodic task, declared here and nowhere else."""
    from django.conf import settings

    sender.conf.beat_schedule = {
        "fire-due-workflow-timers": {
            "task": "notifications.tasks.fire_due_timers",
            "schedule": float(settings.FTP_TIMER_POLL_SECONDS),
        },
        # Notifications: the outbox (unsent deliveries), due reminders and
        # escalations, and the daily digest (notifications/).
        "sweep-notification-outbox": {
            "task": "notifications.tasks.sweep_outbox",
            "schedule": float(settings.FTP_OUTBOX_SWEEP_SECONDS),
        },
        "sweep-deadlines": {
            "task": "notifications.tasks.sweep_deadlines",
            "schedule": float(settings.FTP_DEADLINE_SWEEP_SECONDS),
        },
        # Suspension reviews' reminders and escalations (suspensions/).
        "sweep-suspension-reviews": {
            "task": "notifications.tasks.sweep_suspension_reviews",
            "schedule": float(settings.FTP_DEADLINE_SWEEP_SECONDS),
        },
        "build-daily-digests": {
            "task": "notifications.tasks.build_digests",
            "schedule": crontab(hour=settings.FTP_DIGEST_HOUR, minute=0),
        },
        # Chains audit events left pending by a process that stopped between
        # its commit and its own sequencer run (audit/sequencing.py).
        "sequence-audit-events": {
            "task": "audit.tasks.sequence_audit_events",
            "schedule": float(settings.FTP_AUDIT_SEQUENCE_SECONDS),
        },
        # Shows /health/ready that beat (and a worker) are running (ops/).
        "beat-heartbeat": {
            "task": "ops.tasks.beat_heartbeat",
            "schedule": float(settings.FTP_BEAT_HEARTBEAT_SECONDS),
        },
        # Weekly: tells HR advisers which case files fell due for destruction
        # under the retention schedule (records/, docs/retention.md).
        "retention-review": {
            "task": "records.tasks.retention_review",
            "schedule": crontab(
                day_of_week=settings.FTP_RETENTION_REVIEW_WEEKDAY,
                hour=settings.FTP_RETENTION_REVIEW_HOUR,
                minute=30,
            ),
        },
        # Daily: each sharing trust's suppressed figures for the regional
        # benchmark, computed inside that trust (regional/, docs/regional.md).
        "regional-figures-refresh": {
            "task": "regional.tasks.regional_figures_refresh",
            "schedule": crontab(hour=4, minute=45),
        },
        # Daily: reminds each owner of their overdue actions, once a day
        # (assurance/, docs/assurance.md).
        "actions-overdue": {
            "task": "assurance.tasks.actions_overdue",
            "schedule": crontab(hour=7, minute=15),
        },
        # Freedom to Speak Up (speakup/): tells guardians of new concerns, of
        # acknowledgements due today and overdue; idempotent, so frequent.
        "speakup-concerns-sweep": {
            "task": "speakup.tasks.concerns_sweep",
            "schedule": 15 * 60.0,
        },
        # Each night: every trust's early warning as at yesterday over 12 and
        # 24 months, kept for the page (reports/early_warning_snapshot.py).
        "early-warning-nightly": {
            "task": "reports.tasks.early_warning_nightly",
            "schedule": crontab(hour=1, minute=30),
        },
        # The first week of each NHS quarter: records each trust's early-warning
        # alerts as at the quarter's end and tells HR about new ones; a rerun
        # adds and tells nothing twice (reports/early_warning_alerts.py).
        "early-warning-quarterly": {
            "task": "reports.tasks.early_warning_quarterly",
            "schedule": crontab(month_of_year="1,4,7,10", day_of_month="1-7", hour=5, minute=30),
        },
        # Hourly: tells each wellbeing contact of a check-in due; idempotent
        # (one notice per case and due date), reads only due rows (wellbeing/).
        "wellbeing-checkins-sweep": {
            "task": "notifications.tasks.sweep_wellbeing_checkins",
            "schedule": crontab(minute=20),
        },
        # Daily, in the quiet hours: walks the whole chain (streamed).
        "verify-audit-chain": {
            "task": "audit.tasks.verify_audit_chain",
            "schedule": crontab(hour=3, minute=15),
        },
    }
