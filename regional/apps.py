from django.apps import AppConfig


class RegionalConfig(AppConfig):
    name = "regional"
    verbose_name = "Regional benchmarking"
    default_auto_field = "django.db.models.BigAutoField"
