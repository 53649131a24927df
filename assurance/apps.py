from django.apps import AppConfig


class AssuranceConfig(AppConfig):
    name = "assurance"
    verbose_name = "Self-assessment and action plans"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit.models import register_event_types

        from .events import EVENT_TYPES

        # The audit log labels and searches the self-assessment's and plans' changes.
        register_event_types(EVENT_TYPES)
