"""An audit event's payload in plain words, for the case path.

The log stores ids and codes (``members: [9, 8, 7]``, ``views: {'agree': 3}``)
so that it can be verified and searched; a person reads names, labels and
sentences. ``event_details`` turns one event's payload into a few short
sentences, naming people from ``names`` (``workflow.audit_selectors.people_named``,
which holds only the names its viewer may see: anyone else is "a panel
member" or "someone"). Ids of rows nobody reads (a decision's, a delivery's)
are left out; a key this module does not know is shown as "Key: value", with
lists and mappings spelt out, never as Python's repr.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import models

from notifications.models import Channel, Kind
from panels.models import GuideAlignment
from workflow.access import ShownEvent
from workflow.models import ConcernCategory, Outcome, RedirectPolicy, Step, TriageRoute

Names = Mapping[int, str]

# Internal row ids and bookkeeping: on record, of no use to a reader.
HIDDEN_KEYS = frozenset(
    {"decision_id", "delivery", "digest_delivery", "bundle", "attempt", "through_seq", "sha256"}
)


def event_details(event: ShownEvent, names: Names) -> list[str]:
    """The event's payload as sentences; [] if it has none."""
    payload = dict(event.payload or {})
    if not payload:
        return []
    lines = []
    if "on_behalf_of" in payload:
        # A delegate's action (an out-of-office delegation): by X for Y.
        lines.append(f"For {person(payload.pop('on_behalf_of'), names)}, who was away.")
    describe = _BY_ACTION.get(event.action, _generic)
    return lines + [line for line in describe(payload, names) if line]


def _label(choices: type[models.TextChoices], value: Any) -> str:
    """The label of a stored code, or the code itself if it is not one."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def person(user_id: Any, names: Names, unnamed: str = "someone") -> str:
    if isinstance(user_id, int) and not isinstance(user_id, bool) and user_id in names:
        return names[user_id]
    return unnamed


def people(user_ids: Any, names: Names, unnamed: str = "a panel member") -> str:
    """``A, B and C``; each person we may not name as ``unnamed``."""
    ids = user_ids if isinstance(user_ids, list) else []
    return _and([person(i, names, unnamed) for i in ids]) or "nobody"


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _panel(payload: dict[str, Any]) -> str:
    panel_id = payload.get("panel_id")
    return f"Panel {panel_id}" if panel_id is not None else "The panel"


# --- each action's payload ------------------------------------------------------------


def _submit(payload: dict[str, Any], names: Names) -> list[str]:
    letter = payload.get("just_culture_outcome")
    return [
        f"Concern: {_label(ConcernCategory, payload.get('concern_category', ''))}.",
        f"Just culture guide: advice {letter}."
        if letter
        else "Just culture guide: not enough answers to advise.",
    ]


def _triage(payload: dict[str, Any], names: Names) -> list[str]:
    route = f"Route: {_label(TriageRoute, payload.get('route', ''))}"
    policy = payload.get("policy")
    owner = payload.get("owner")
    return [
        f"{route} ({_label(RedirectPolicy, policy)})." if policy else f"{route}.",
        f"Case owner: {person(owner, names)}." if owner is not None else "",
    ]


def _owner(payload: dict[str, Any], names: Names) -> list[str]:
    before = person(payload.get("from"), names, "nobody")
    return [f"Case owner: {before} → {person(payload.get('to'), names)}."]


def _informal(payload: dict[str, Any], names: Names) -> list[str]:
    resolved = payload.get("resolved")
    said = "" if resolved is None else ("Resolved" if resolved else "Not resolved")
    said = f"{said} informally." if said else ""
    actions = payload.get("actions")
    return [said, f"What was done: {actions}" if actions else ""]


def _suggest(payload: dict[str, Any], names: Names) -> list[str]:
    pool = payload.get("pool_size")
    among = f" (from a pool of {pool})" if pool is not None else ""
    if not payload.get("found"):
        return [f"No panel from the pool meets every rule{among}."]
    chair = person(payload.get("chair"), names, "a panel member")
    what = "Suggested to fill the panel" if payload.get("replacement") else "Suggested a panel"
    return [f"{what}: {people(payload.get('members'), names)}, chaired by {chair}{among}."]


def _convene(payload: dict[str, Any], names: Names) -> list[str]:
    chair = person(payload.get("chair"), names, "a panel member")
    return [
        f"{_panel(payload)}: {people(payload.get('members'), names)}.",
        f"Chair: {chair}.",
    ]


def _replace(payload: dict[str, Any], names: Names) -> list[str]:
    chair = person(payload.get("chair"), names, "a panel member")
    return [
        f"{_panel(payload)}: {people(payload.get('members'), names)} "
        f"in place of {people(payload.get('replacing'), names)}.",
        f"Chair: {chair}.",
    ]


def _declare(payload: dict[str, Any], names: Names) -> list[str]:
    if payload.get("no_conflict"):
        return ["Declared no conflict of interest."]
    return ["Declared a conflict of interest and stood down from the panel."]


def _view(payload: dict[str, Any], names: Names) -> list[str]:
    again = " (reconsidering after a declined sign-off)" if payload.get("round") else ""
    return [f"View: {_label(Outcome, payload.get('outcome', ''))}{again}."]


def _decide(payload: dict[str, Any], names: Names) -> list[str]:
    lines = [f"Decision: {_label(Outcome, payload.get('outcome', ''))}."]
    views = payload.get("views")
    if isinstance(views, dict):
        lines.append(f"Members' views: {views_text(views)}.")
    letter = payload.get("just_culture_outcome")
    alignment = _label(GuideAlignment, payload.get("guide_alignment", "")).lower()
    if letter:
        lines.append(f"Just culture guide: advice {letter}; {alignment}.")
    else:
        lines.append("Just culture guide: not enough answers to advise.")
    if payload.get("guide_amended"):
        lines.append("The panel amended the guide's answers.")
    elif payload.get("guide_reviewed"):
        lines.append("The panel reviewed the guide's answers.")
    return lines


def views_text(views: Mapping[str, Any]) -> str:
    """``{'agree': 3, 'dissent': 0}`` as "3 agree, 0 dissent"."""
    return ", ".join(f"{n} {what}" for what, n in views.items())


def _signoff(payload: dict[str, Any], names: Names) -> list[str]:
    if payload.get("approve"):
        return ["Approved: a formal investigation is commissioned."]
    return ["Declined: back to the panel to reconsider."]


def _notice(payload: dict[str, Any], names: Names) -> list[str]:
    kind = _label(Kind, payload.get("kind", ""))
    channel = _label(Channel, payload.get("channel", "")).lower()
    step = payload.get("step")
    at = f", for the step {_label(Step, step)}" if step else ""
    return [f"{kind}: to {person(payload.get('recipient'), names)} ({channel}){at}."]


def _generic(payload: dict[str, Any], names: Names) -> list[str]:
    return [
        f"{key.replace('_', ' ').capitalize()}: {_plain(value, names)}"
        for key, value in payload.items()
        if key not in HIDDEN_KEYS
    ]


def _plain(value: Any, names: Names) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "none"
    if isinstance(value, list):
        return ", ".join(_plain(v, names) for v in value) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {_plain(v, names)}" for k, v in value.items())
    return str(value)


_BY_ACTION: dict[str, Callable[[dict[str, Any], Names], list[str]]] = {
    "submit": _submit,
    "triage": _triage,
    "owner_reassigned": _owner,
    "record_informal_outcome": _informal,
    "suggest_panel": _suggest,
    "convene_panel": _convene,
    "replace_members": _replace,
    "declare": _declare,
    "record_view": _view,
    "decide": _decide,
    "signoff": _signoff,
    "notification_sent": _notice,
    "reminder_sent": _notice,
    "escalation_sent": _notice,
}
