"""How a subject access pack names the people in it other than the requester.

UK GDPR Article 15 gives the employee a copy of their personal data; the
Data Protection Act 2018, Schedule 2, Part 3, paragraph 16 lets the trust
withhold what would identify someone else, unless that person consents or
it is reasonable to disclose it without consent. The ICO asks the trust to
weigh this for each third party (its guidance "What should we do if the
request involves information about other individuals?"), so the rules are
written once here, applied to every cell that names a person, and printed on
the pack's cover:

* the requester is named (it is their own data);
* staff acting in their professional role on the requester's case (the HR
  adviser, the decision-maker, the referring manager, the panel's chair and
  members, the line manager recorded at referral) are named with their role
  when the trust's ``sar_name_staff_in_role`` is true (the default), otherwise shown
  as their role and a number stable within one pack ("Panel member 2");
* anyone else (another employee, a witness, someone with no role on the
  case) is always withheld, and so is anyone's ethnic category but the
  requester's own. The product keeps no witness records; ``WITNESS`` is
  here so that the rule is ready when it does.

Free text (a concern's summary, a panel's rationale, a reason) is written by
people and may name anyone: no program can tell a name in it reliably, so it
is left as written and listed for HR's review before release (``REVIEW``).
"""

from __future__ import annotations

import enum
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.types import Actor

WITHHELD = "[withheld: another person]"
WITHHELD_CASE = "[another person's case]"
WITHHELD_CONFLICT = "[withheld: a panel member's declaration of interest]"
SYSTEM = "The system"


class PersonRole(enum.Enum):
    """The capacity someone appears in on the requester's records."""

    HR_ADVISER = "HR adviser"
    DECISION_MAKER = "Decision-maker"
    REFERRING_MANAGER = "Referring manager"
    PANEL_CHAIR = "Panel chair"
    PANEL_MEMBER = "Panel member"
    LINE_MANAGER = "Line manager"
    # Never named: not acting in a professional role on the requester's case.
    WITNESS = "Witness"
    OTHER = "Another person"

    @property
    def professional(self) -> bool:
        return self not in (PersonRole.WITNESS, PersonRole.OTHER)


# Free-text columns HR must read before release: (file, column, what it is).
REVIEW: tuple[tuple[str, str, str], ...] = (
    ("cases.csv", "summary", "the referring manager's account of the concern"),
    ("cases.csv", "informal_steps_tried", "what the manager tried informally"),
    ("cases.csv", "triage_reason", "HR's reason for the triage route"),
    ("cases.csv", "informal_actions", "the informal stage's actions"),
    ("cases.csv", "informal_reason", "the informal stage's reason"),
    ("case_history.csv", "reason", "reasons given for actions on the case"),
    ("decisions.csv", "reasons", "panel rationales, members' comments, sign-off reasons"),
    ("decisions.csv", "agreed_actions", "actions the panel agreed"),
    ("case_file.csv", "text", "case notes (HR's own included) and why documents were replaced"),
    (
        "case_file.csv",
        "file",
        "the documents in case-file/: statements and evidence may name others",
    ),
)


@dataclass
class Redaction:
    """The naming rules for one pack. ``label`` is the one function every
    cell naming a person goes through; pseudonyms are numbered per role in
    the order people first appear, so they are stable within the pack."""

    subject_name: str
    subject_user_id: int | None
    name_staff_in_role: bool
    _numbers: dict[tuple[PersonRole, Hashable], int] = field(default_factory=dict)

    def label(self, key: Hashable, name: str, role: PersonRole | None) -> str:
        """How the person ``key`` (a user's id, or a name where the record
        holds only a name) called ``name`` appears, acting as ``role``."""
        if key is not None and key == ("user", self.subject_user_id):
            return f"{self.subject_name} (you)"
        if role is None or not role.professional:
            return WITHHELD
        if self.name_staff_in_role:
            return f"{name} ({role.value})"
        number = self._numbers.setdefault(
            (role, key), 1 + sum(1 for r, _ in self._numbers if r == role)
        )
        return f"{role.value} {number}"

    def user(self, user: Actor | None, role: PersonRole | None) -> str:
        """``label`` for a login (``None``: the system acted)."""
        if user is None:
            return SYSTEM
        return self.label(("user", user.pk), user.get_full_name() or user.get_username(), role)

    def rules(self) -> list[str]:
        """The rules as printed on the cover."""
        staff = (
            "Staff acting in their professional role on your case (HR adviser, decision-maker, "
            "referring manager, panel chair and members, line manager) are named with their role."
            if self.name_staff_in_role
            else "Staff acting in their professional role on your case are shown by their role "
            "and a number that stays the same throughout this pack (for example "
            '"Panel member 2"), not by name.'
        )
        return [
            "Your own data is shown in full, including your ethnic category as recorded.",
            staff,
            f'Anyone else (another employee, a witness) is shown as "{WITHHELD}". Nobody '
            "else's ethnic category, staff number or record is included.",
            "A panel member's declaration of a conflict of interest is their own data and is "
            f'shown as "{WITHHELD_CONFLICT}".',
            "Notifications to you about other people's cases show no case reference.",
            "Free text written by staff is shown as written: it may mention other people, "
            "and HR has reviewed it before release (the fields are listed below).",
        ]
