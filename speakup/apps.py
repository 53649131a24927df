from django.apps import AppConfig


class SpeakupConfig(AppConfig):
    name = "speakup"
    verbose_name = "Freedom to Speak Up"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit.models import register_event_types

        from .services import EVENT_TYPES

        # On record like every action, but never in the case engine's explorer,
        # its search or its exports: a concern is the guardians' alone.
        register_event_types(EVENT_TYPES, private=True)
