from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Records management"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit.models import register_event_types

        from .subject_access import EVENT_TYPES as SUBJECT_ACCESS_EVENTS

        # The audit log labels and searches the pack's production.
        register_event_types(SUBJECT_ACCESS_EVENTS)
