from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The local demo's trust, people, cases and reporting history (``load_demo``)."""

    name = "demo"
    verbose_name = "Demo data"
