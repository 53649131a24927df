from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = "Reference data: organisation and employees"

    def ready(self) -> None:
        from accounts.events import BreakGlassLogin
        from audit.models import register_event_types
        from core import events

        from .break_glass import break_glass_login_record
        from .events import SsoAuditEvent

        # The audit log labels and searches single sign-on's refusals and
        # break-glass logins.
        register_event_types((e.value, e.label) for e in SsoAuditEvent)
        # A break-glass login (announced by accounts) is recorded and reported.
        events.subscribe(BreakGlassLogin, break_glass_login_record)
