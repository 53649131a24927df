from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    name = "wellbeing"
    verbose_name = "Wellbeing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Wellbeing plugs into the engine below it: the rules and services of
        # its two actions (workflow.checks refuses to start without them),
        # the check-in schedule following the case, and every new trust's
        # default support services.
        from core import events
        from workflow.events import CaseActed
        from workflow.rules import Action
        from workflow.services import register_services

        from . import actions, seed, services

        actions.register()
        register_services(
            {
                Action.SET_WELLBEING_CONTACT: services.wellbeing_contact_set,
                Action.RECORD_CHECKIN: services.checkin_record,
            }
        )
        events.subscribe(CaseActed, services.schedule_on_case_acted)
        seed.signals_connect()
