from django.apps import AppConfig


class WebConfig(AppConfig):
    """The HTML pages: thin views over every app's selectors and services."""

    name = "web"
    verbose_name = "Web pages"

    def ready(self) -> None:
        """Wire reactions between sibling apps that may not import each other
        (ADR 0015): only a layer above both sees both.

        The quarterly early-warning run (``reports``) announces its new
        alerts; ``notifications`` records HR's notification. Every process
        that runs the run (web, Celery worker, ``manage.py``) loads this app.
        """
        from core import events
        from notifications.services.early_warning import early_warning_notify
        from reports.events import EarlyWarningAlertsRaised

        events.subscribe(EarlyWarningAlertsRaised, early_warning_notify)
