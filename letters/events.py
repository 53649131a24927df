"""What letters record in the audit log (registered in ``LettersConfig.ready``)."""

from __future__ import annotations

LETTER_TEMPLATE_CHANGED = "letter_template_changed"
LETTERHEAD_CHANGED = "letterhead_changed"
LETTER_GENERATED = "letter_generated"
LETTER_SENT = "letter_sent"

EVENT_TYPES = (
    (LETTER_TEMPLATE_CHANGED, "Letter template changed"),
    (LETTERHEAD_CHANGED, "Letterhead changed"),
    (LETTER_GENERATED, "Letter generated"),
    (LETTER_SENT, "Letter recorded as sent"),
)
