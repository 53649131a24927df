from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "letters"
    verbose_name = "Letters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit.models import register_event_types

        from .events import EVENT_TYPES
        from .seed import signals_connect

        # The audit log labels and searches the letters' changes.
        register_event_types(EVENT_TYPES)
        # Every new trust starts with the default templates and a letterhead.
        signals_connect()
