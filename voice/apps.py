from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "voice"
    verbose_name = "The employee's voice"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The voice actions plug into the engine below them, as the panel
        # stage's do (panels/apps.py): their rules, their services, and the
        # audit log's name for an account sent by link. A link dies with the
        # case's move past the panel's decision by its stage, read whenever
        # the link is (voice.links.link_state): no subscriber needed.
        from audit.models import register_event_types
        from workflow.rules import Action
        from workflow.services import register_services

        from . import actions, services

        actions.register()
        register_services(
            {
                Action.RECORD_EMPLOYEE_TOLD: services.employee_told_record,
                Action.ISSUE_ACCOUNT_LINK: services.account_link_issue,
                Action.RECORD_ACCOUNT: services.account_record,
            }
        )
        register_event_types(services.EVENT_TYPES)
