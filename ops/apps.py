from django.apps import AppConfig
from django.core.signals import request_finished


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Operations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .logs import request_id_clear

        request_finished.connect(request_id_clear, dispatch_uid="ops.request_id_clear")
