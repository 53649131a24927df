from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and timers"

    def ready(self) -> None:
        """Subscribe to what the case engine announces (``core.events``).

        In this order, as one reaction: record who must hear, then cancel the
        closed step's reminders and set the open step's, then mark read the
        notices whose ask the action ended.
        """
        from core import events
        from panels.events import MeetingChanged
        from workflow.events import CaseActed, CaseSubmitted

        from .services import (
            case_action_notify,
            meeting_notify,
            meeting_seats_notify,
            notices_settle_on_action,
            referral_submitted_notify,
            step_notices_on_action,
            step_notices_on_submit,
        )

        events.subscribe(CaseSubmitted, referral_submitted_notify)
        events.subscribe(CaseSubmitted, step_notices_on_submit)
        events.subscribe(CaseActed, case_action_notify)
        events.subscribe(CaseActed, step_notices_on_action)
        events.subscribe(CaseActed, notices_settle_on_action)
        # Panel meetings: each invitee's invitation, update or cancellation,
        # and the meetings of members who join or leave the panel.
        events.subscribe(MeetingChanged, meeting_notify)
        events.subscribe(CaseActed, meeting_seats_notify)
        # The employee's account arrived by their link (voice/): the case owner hears.
        from voice.events import AccountReceived

        from .services.account import account_received_notify

        events.subscribe(AccountReceived, account_received_notify)
        # The formal process's steps (formal/): their reminders and escalations.
        from formal.events import FormalStepChanged

        from .services.deadlines import step_notices_on_formal_step

        events.subscribe(FormalStepChanged, step_notices_on_formal_step)
