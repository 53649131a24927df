"""Small helpers that gather field errors so a service reports them all at once."""

from __future__ import annotations

from collections.abc import Iterable

from core.errors import ValidationFailed


class Errors:
    def __init__(self) -> None:
        self._errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self._errors.setdefault(field, []).append(message)

    def require_text(
        self,
        field: str,
        value: str | None,
        what: str,
        *,
        min_length: int = 1,
        max_length: int = 10_000,
    ) -> str:
        text = (value or "").strip()
        if len(text) < min_length:
            if not text:
                self.add(field, f"Give {what}.")
            else:
                self.add(field, f"Give {what} of at least {min_length} characters.")
        elif len(text) > max_length:
            self.add(field, f"Keep {what} under {max_length} characters.")
        return text

    def require_choice(
        self, field: str, value: str | None, choices: Iterable[tuple[str, str]], what: str
    ) -> str:
        """``value`` must be one of ``choices`` (``(value, label)`` pairs, as a
        ``TextChoices.choices``); the error names the labels people read on the
        form, never the stored codes."""
        options = dict(choices)
        if value not in options:
            labels = ", ".join(str(label) for label in options.values())
            self.add(field, f"Choose {what}: one of {labels}.")
        return value or ""

    def raise_if_any(self) -> None:
        if self._errors:
            raise ValidationFailed(self._errors)
