from django.apps import AppConfig


class CasefileConfig(AppConfig):
    name = "casefile"
    verbose_name = "Case file"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit.models import register_event_types

        from .notes import NOTE_EVENTS
        from .services import DOCUMENT_EVENTS

        # The case notes' events (casefile.notes), labelled in the audit log.
        register_event_types(NOTE_EVENTS)
        # Every upload, download and preview of a case document (casefile.services).
        register_event_types(DOCUMENT_EVENTS)
