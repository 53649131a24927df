from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "Referral cases"

    def ready(self) -> None:
        # Import the flow so viewflow registers its nodes and permissions
        # before post_migrate runs.
        from . import flows  # noqa: F401
