from django.apps import AppConfig


class WebConfig(AppConfig):
    """The HTML pages: thin views over every app's selectors and services."""

    name = "web"
    verbose_name = "Web pages"
