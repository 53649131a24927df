from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and roles"

    def ready(self) -> None:
        # Connects the receivers that announce break-glass logins (backends)
        # and that revoke tokens and sessions on a password change or
        # deactivation (signals).
        from . import backends, signals  # noqa: F401
