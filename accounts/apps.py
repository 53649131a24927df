from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and roles"

    def ready(self) -> None:
        # Connects the receivers that revoke tokens and sessions on a password
        # change or deactivation.
        from . import signals  # noqa: F401
