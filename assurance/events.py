"""What the assurance pages record in the audit log (registered in ``AssuranceConfig.ready``)."""

from __future__ import annotations

QUESTION_ADDED = "assurance_question_added"
QUESTION_REVISED = "assurance_question_revised"
QUESTION_RETIRED = "assurance_question_retired"
ANSWER_SAVED = "assurance_answer_saved"
ACTION_ADDED = "assurance_action_added"
ACTION_CHANGED = "assurance_action_changed"

EVENT_TYPES = (
    (QUESTION_ADDED, "Self-assessment question added"),
    (QUESTION_REVISED, "Self-assessment question reworded"),
    (QUESTION_RETIRED, "Self-assessment question retired"),
    (ANSWER_SAVED, "Self-assessment answer recorded"),
    (ACTION_ADDED, "Action added to a plan"),
    (ACTION_CHANGED, "Action changed"),
)
