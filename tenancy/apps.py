from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "tenancy"
    verbose_name = "Trusts"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import checks, context, tasks  # noqa: F401  (registers checks and Celery signals)

        connection_created.connect(context.connection_trust_apply, dispatch_uid="tenancy")

        from .policy import signals_connect

        signals_connect()
