"""Template filters for a panel's state (``panels.state``), for the case page."""

from __future__ import annotations

from typing import Any

from django import template

from panels import state
from panels.guide import GuideAdvice
from panels.guide import guide_advice as _guide_advice
from panels.models import Panel

register = template.Library()


@register.filter
def waiting_label(panel: Panel) -> str:
    return state.waiting_for(panel).label


@register.filter
def views_progress(panel: Panel) -> str:
    """What is in and what is needed: "2 of 3 views recorded", never a count
    that reads as if views were missing when they are all in."""
    have, need = state.views_recorded(panel), state.views_needed(panel)
    sitting = len(state.sitting(panel))
    text = f"{have} of {sitting} views recorded"
    if need < sitting:
        text += f" ({need} needed before the decision)"
    return text


@register.filter
def guide_advice(case: Any) -> GuideAdvice:
    """What the guide advises on the case now (``panels.guide.guide_advice``)."""
    return _guide_advice(case)
