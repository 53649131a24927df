from django.apps import AppConfig


class FormalConfig(AppConfig):
    name = "formal"
    verbose_name = "The formal process"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The formal process plugs into the engine below it: its actions'
        # rules and services, who it names on a case (workflow.named_people),
        # and opening when a sign-off approves (CaseActed).
        from core import events
        from workflow.events import CaseActed
        from workflow.rules import Action
        from workflow.services import register_services

        from . import actions, participants, services

        actions.register()
        participants.register()
        register_services(
            {
                Action.NAME_INVESTIGATOR: services.formal_investigator_name,
                Action.RECORD_INVESTIGATION_OUTCOME: services.formal_investigation_outcome_record,
                Action.SCHEDULE_HEARING: services.formal_hearing_schedule,
                Action.RECORD_HEARING_OUTCOME: services.formal_hearing_outcome_record,
                Action.LODGE_APPEAL: services.formal_appeal_lodge,
                Action.RECORD_APPEAL_OUTCOME: services.formal_appeal_outcome_record,
                Action.CONCLUDE_FORMAL: services.formal_conclude,
            }
        )
        events.subscribe(CaseActed, services.formal_open_on_signoff)
