from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = "Reference data: organisation and employees"

    def ready(self) -> None:
        from audit.models import register_event_types

        from .events import SsoAuditEvent

        # The audit log labels and searches single sign-on's refusals.
        register_event_types((e.value, e.label) for e in SsoAuditEvent)
