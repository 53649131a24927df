"""The "Letters" card of the case page (web/letters.py)."""

from __future__ import annotations

from typing import Any

from django import template

from ..letters import letters_preview

register = template.Library()


@register.simple_tag(takes_context=True)
def case_letters(context: Any) -> dict[str, Any] | None:
    """The card's letters and forms, for HR advisers on the case; None for anyone else."""
    return letters_preview(context["request"], context["view"])
