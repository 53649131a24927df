from django.apps import AppConfig


class SuspensionsConfig(AppConfig):
    name = "suspensions"
    verbose_name = "Suspensions and exclusions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The register plugs into the engine below it: its actions' rules and
        # services (workflow.checks refuses to start without them), lifting a
        # measure when its case leaves the process, and its audit event types.
        from audit.models import register_event_types
        from core import events
        from workflow.events import CaseActed
        from workflow.rules import Action
        from workflow.services import register_services

        from . import actions, services

        actions.register()
        register_services(
            {
                Action.RECORD_SUSPENSION: services.suspension_record,
                Action.REVIEW_SUSPENSION: services.suspension_review,
                Action.LIFT_SUSPENSION: services.suspension_lift,
            }
        )
        events.subscribe(CaseActed, services.suspensions_lift_on_close)
        register_event_types(services.EVENT_TYPES)
