from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared core: errors, events, input checks, working days, CSV imports.

    It imports nothing of ours; every other app may import it.
    """

    name = "core"
    verbose_name = "Shared core"

    def ready(self) -> None:
        from . import lookups  # noqa: F401  (registers field__any_of)
