from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "Referral cases"

    def ready(self) -> None:
        from audit.models import register_event_types

        # Import the flow so viewflow registers its nodes and permissions
        # before post_migrate runs, and the start-up checks that every action
        # has a rule and the participants port is plugged in (workflow.checks).
        from . import checks, flows  # noqa: F401
        from .rules import Action

        # The audit log labels and searches the case actions it records.
        register_event_types((a.value, a.label) for a in Action)
        # The case owner and out-of-office delegations (docs/case-owners.md).
        register_event_types(
            [
                ("owner_reassigned", "Case owner changed"),
                ("delegation_set", "Delegation set"),
                ("delegation_ended", "Delegation ended"),
            ]
        )
