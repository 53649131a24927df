"""Plain-language labels for the codes that records keep (``{% load ftp_labels %}``)."""

from __future__ import annotations

from django import template

from workflow.models import Stage

register = template.Library()


@register.filter
def stage_label(value: str) -> str:
    """``informal`` → "Informal resolution"; an empty value stays empty."""
    try:
        return str(Stage(value).label)
    except ValueError:
        return value
