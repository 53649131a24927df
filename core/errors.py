"""One family of domain errors that every interface turns into a clear answer.

web UI: a message on the page (and form field errors); API: 400/403/404/409;
commands: a CommandError. Services raise nothing else on purpose.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class. ``message`` is written for the person who acted."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(DomainError):
    """Bad input. ``errors`` maps field names to messages (``__all__`` for the form)."""

    status_code = 400

    def __init__(self, errors: dict[str, list[str]], message: str = "") -> None:
        super().__init__(message or "Please correct the errors below.")
        self.errors = errors


class NotAllowed(DomainError):
    """The actor's role or relation to the case does not allow this action."""

    status_code = 403


class NotFound(DomainError):
    """The case does not exist, or the actor may not see it (we do not say which)."""

    status_code = 404


class Conflict(DomainError):
    """The case is not at a stage where this applies, or someone acted first."""

    status_code = 409
