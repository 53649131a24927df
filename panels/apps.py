from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "panels"
    verbose_name = "Fair Treatment Panels"

    def ready(self) -> None:
        # The panel stage plugs into the engine below it: the rules of its
        # actions, the facts about who sits on a case, and joining the pool
        # when a user is given the panel role (workflow.checks refuses to
        # start without the first two).
        from audit.models import register_event_types
        from core import events
        from staff.events import RoleGiven
        from workflow.rules import Action
        from workflow.services import register_services

        from . import actions, meetings, participants, receivers, services

        actions.register()
        participants.register()
        # Which of its services takes each of its actions, in the engine's one
        # table (workflow.services.ACTION_SERVICES) that both doors call through.
        register_services(
            {
                Action.CONVENE_PANEL: services.panel_convene,
                Action.REPLACE_MEMBERS: services.panel_members_replace,
                Action.DECLARE: services.panel_declare,
                Action.RECORD_VIEW: services.panel_view_record,
                Action.DECIDE: services.panel_decision_record,
            }
        )
        events.subscribe(RoleGiven, receivers.pool_join_on_panel_role)
        # The audit log labels and searches what the meeting services record.
        register_event_types(meetings.EVENT_TYPES)
