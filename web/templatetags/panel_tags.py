"""Template filters for a panel's state (``panels.state``), for the case page."""

from __future__ import annotations

from django import template

from panels import state
from panels.models import Panel

register = template.Library()


@register.filter
def waiting_label(panel: Panel) -> str:
    return state.waiting_for(panel).label


@register.filter
def views_progress(panel: Panel) -> str:
    return f"{state.views_recorded(panel)} of {state.views_needed(panel)} views needed"
