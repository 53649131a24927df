"""What each notification says, in plain language.

In the app a line may name the step ("Triage is due on 5 Dec"): the list is
behind sign-in and shows only the recipient's own notifications. Emails say
less: the case reference, the kind of notice, a date and a link; never a
name, the concern, the panel's deliberation or an ethnic category.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tenancy.policy import trust_policy
from workflow.models import Case

from .models import Kind, Notification

_STEP_TITLES = {
    "triage": "Triage",
    "resubmit": "Adding information and resubmitting",
    "informal": "Informal resolution",
    "convene": "Convening the panel",
    "decide": "The panel's decision",
    "signoff": "Sign-off",
    # The formal process after sign-off (formal/).
    "investigate": "The formal investigation",
    "hearing": "The disciplinary hearing",
    "appeal": "The appeal",
}

_INAPP = {
    Kind.SUBMITTED: "{ref}: a referral is waiting for triage.",
    Kind.CASE_MOVED: "{ref}: the case you referred has moved on.",
    Kind.PANEL_CONVENED: "{ref}: you are on the panel. Declare any conflict of interest first.",
    Kind.SIGNOFF_WAITING: "{ref}: the panel proposes a formal investigation; sign-off is waiting.",
    Kind.REMINDER: "{ref}: {step} is due on {due}.",
    Kind.OVERDUE_HR: "{ref}: {step} is due today ({due}) and not done. Please follow it up.",
    Kind.OVERDUE_DECISION_MAKER: "{ref}: {step} was due on {due} and is still not done.",
    Kind.DIGEST: "Your daily digest.",
    # Freedom to Speak Up (speakup/): no content, no case; the guardians' list says more.
    Kind.CONCERN_RAISED: "A concern was raised with the guardians: acknowledge it by {due}.",
    Kind.CONCERN_ACK_DUE: "A concern's acknowledgement is due today ({due}).",
    Kind.CONCERN_ACK_OVERDUE: "A concern was due to be acknowledged on {due} and is not yet.",
    Kind.CONCERN_REPLY: "A Freedom to Speak Up guardian replied about your concern.",
    # The employee's voice (voice/): to the case owner; the case page shows the account.
    Kind.ACCOUNT_RECEIVED: "{ref}: the employee sent their account by their link.",
    # Wellbeing (wellbeing/): to the named contact; the case page says the rest.
    Kind.WELLBEING_CHECKIN: "{ref}: a wellbeing check-in with the employee is due on {due}.",
    # Suspension reviews (suspensions/): the kind of measure and its reason are on the case.
    Kind.SUSPENSION_REVIEW_DUE: "{ref}: a suspension review is due on {due}.",
    Kind.SUSPENSION_REVIEW_OVERDUE: "{ref}: a suspension review is due today ({due}). "
    "Please make sure it is done.",
    Kind.SUSPENSION_ESCALATED: "{ref}: a suspension review was due on {due} and is not done.",
    # The formal process (formal/): the person named; the case page says as what.
    Kind.FORMAL_NAMED: "{ref}: you are named in the case's formal process. "
    "Open the case for your part.",
}

# "Due today" is said only on that day (issue 18: a sweep that ran late, or a
# list read the next morning, must not call an earlier date "today"). Past
# it, these say what is true on any later day.
_INAPP_PAST_DUE = {
    Kind.REMINDER: "{ref}: {step} was due on {due}.",
    Kind.OVERDUE_HR: "{ref}: {step} was due on {due} and had not been done. Please follow it up.",
    Kind.CONCERN_ACK_DUE: "A concern was due to be acknowledged on {due}.",
    Kind.WELLBEING_CHECKIN: "{ref}: a wellbeing check-in with the employee was due on {due}.",
    Kind.SUSPENSION_REVIEW_DUE: "{ref}: a suspension review was due on {due}.",
    Kind.SUSPENSION_REVIEW_OVERDUE: "{ref}: a suspension review was due on {due} "
    "and had not been done. Please make sure it is done.",
}

# How a bundle counts what it lists, most pressing first.
_COUNTED = (
    (Kind.OVERDUE_DECISION_MAKER, "overdue"),
    (Kind.OVERDUE_HR, "due today and not done"),
    (Kind.REMINDER, "due soon"),
)

_LABELS = dict(_COUNTED)

# Steps a bundle names in the in-app list; the rest are counted.
ITEMS_SHOWN = 10


def _reference(notification: Notification) -> str:
    case = notification.case
    return case.reference if case is not None else ""


def covering_for(notification: Notification) -> str:
    """The name of the person away this notice is for, when it went to their
    delegate (``services.covering``); "" otherwise. A bundle names them per step."""
    if notification.kind == Kind.DUE_STEPS:
        return ""
    return next((str(i["for_name"]) for i in notification.items if "for_name" in i), "")


def inapp_text(notification: Notification) -> str:
    """One line for the in-app list (a delegate's says whom it is for)."""
    text = _inapp_text(notification)
    if who := covering_for(notification):
        return f"For {who}: {text}"
    return text


def _inapp_text(notification: Notification) -> str:
    if notification.kind == Kind.DUE_STEPS:
        return _bundle_text(notification.items)
    if notification.kind == Kind.RETENTION_DUE:
        references, more = retention_files(notification)
        count = f"{len(references)}{' or more' if more else ''}"
        return f"{count} case files fell due for destruction: {', '.join(references)}."
    if notification.kind == Kind.EARLY_WARNING:
        return early_warning_text(notification)
    if notification.kind == Kind.ACTION_OVERDUE:
        n = overdue_actions_count(notification)
        return f"{n} of your actions {'is' if n == 1 else 'are'} overdue."
    if notification.kind in Kind.meeting_kinds():
        return meeting_text(notification)
    kind = Kind(notification.kind)
    template = _INAPP.get(kind, "{ref}")
    if kind in _INAPP_PAST_DUE and due_passed(notification.due_on):
        template = _INAPP_PAST_DUE[kind]
    return template.format(
        ref=_reference(notification),
        step=_STEP_TITLES.get(notification.step, "A step"),
        due=notification.due_on.strftime("%-d %b %Y") if notification.due_on else "",
    )


def due_passed(due_on: dt.date | None) -> bool:
    """Whether ``due_on`` is before today (where this message is read or sent)."""
    return due_on is not None and due_on < timezone.localdate()


def _counted_kind(item: dict[str, Any]) -> Kind:
    """How a bundle's step counts: one "due today" whose day has passed is
    overdue (it was not done on the day), whenever the list is read."""
    kind = Kind(item["kind"])
    due = dt.date.fromisoformat(item["due_on"]) if item.get("due_on") else None
    if kind == Kind.OVERDUE_HR and due_passed(due):
        return Kind.OVERDUE_DECISION_MAKER
    return kind


def _bundle_text(items: list[dict[str, Any]]) -> str:
    """ "3 steps need attention: 1 overdue, 2 due soon." """
    kinds = [_counted_kind(i) for i in items]
    counts = [f"{n} {label}" for kind, label in _COUNTED if (n := kinds.count(kind))]
    return f"{len(items)} steps need attention: {', '.join(counts)}."


def overdue_actions_count(notification: Notification) -> int:
    """How many actions an overdue-actions reminder (assurance/) is about."""
    return next((int(i["count"]) for i in notification.items if "count" in i), 0)


def retention_files(notification: Notification) -> tuple[list[str], bool]:
    """A retention review's references, and whether there were more than it lists."""
    references = [item["reference"] for item in notification.items if "reference" in item]
    return references, any(item.get("more") for item in notification.items)


_ALERT_LEVELS = (("icsu", "ICSU"), ("department", "department"), ("manager", "referring manager"))


def early_warning_counts(notification: Notification) -> tuple[int, list[str]]:
    """New early-warning alerts: how many, and "1 ICSU", "2 departments"... by level."""
    items = notification.items
    total = sum(1 for i in items if "level" in i) + sum(int(i.get("more", 0)) for i in items)
    by_level = []
    for level, label in _ALERT_LEVELS:
        n = sum(1 for i in items if i.get("level") == level)
        if n:
            by_level.append(f"{n} {label}{'s' if n != 1 else ''}")
    return total, by_level


def early_warning_text(notification: Notification) -> str:
    """ "3 new early-warning alerts as at 31 Dec 2025: 1 ICSU, 2 departments." """
    total, by_level = early_warning_counts(notification)
    when = notification.due_on.strftime("%-d %b %Y") if notification.due_on else ""
    levels = f": {', '.join(by_level)}" if by_level else ""
    return f"{total} new early-warning alert{'s' if total != 1 else ''} as at {when}{levels}."


def bundle_items(
    notifications: list[Notification], *, every: bool = False
) -> dict[int, list[dict[str, Any]]]:
    """For each ``DUE_STEPS`` bundle among ``notifications`` (by id), the
    first ``ITEMS_SHOWN`` of its steps (``every``: all of them) to name:
    reference, case id, what and due date. The references of every bundle
    come from one query."""
    bundles = [n for n in notifications if n.kind == Kind.DUE_STEPS]
    shown = {n.pk: n.items if every else n.items[:ITEMS_SHOWN] for n in bundles}
    ids = {item["case"] for items in shown.values() for item in items}
    references = dict(Case.objects.filter(pk__in=ids).values_list("pk", "reference"))
    return {
        pk: [
            {
                "case_id": item["case"],
                "reference": references.get(item["case"], ""),
                "what": _what(item),
                "due_on": dt.date.fromisoformat(item["due_on"]) if item["due_on"] else None,
            }
            for item in items
        ]
        for pk, items in shown.items()
    }


def _what(item: dict[str, Any]) -> str:
    step = _STEP_TITLES.get(item["step"], "A step")
    label = _LABELS.get(_counted_kind(item), "due")
    who = f" (for {item['for_name']})" if item.get("for_name") else ""
    return f"{step}, {label}{who}"


_MEETING_INAPP = {
    Kind.MEETING_INVITE: "{ref}: you are invited to a panel meeting on {when}.",
    Kind.MEETING_UPDATE: "{ref}: the panel meeting has moved; it is now on {when}.",
    Kind.MEETING_CANCELLED: "{ref}: the panel meeting on {when} is cancelled.",
}


def meeting_item(notification: Notification) -> dict[str, Any]:
    """A meeting notice's one item: the meeting's id, the version told, its start."""
    return notification.items[0] if notification.items else {}


def _local_when(iso: str | None) -> str:
    if not iso:
        return "a date to be confirmed"
    at = timezone.localtime(dt.datetime.fromisoformat(iso))
    return f"{at:%-d %b %Y} at {at:%H:%M}"


def meeting_text(notification: Notification) -> str:
    """The in-app line, from what the notice told (no query per row)."""
    item = meeting_item(notification)
    when = _local_when(item.get("starts_at"))
    if item.get("removed"):
        return f"{_reference(notification)}: you no longer sit on the panel meeting on {when}."
    return _MEETING_INAPP[Kind(notification.kind)].format(ref=_reference(notification), when=when)


def _meeting_context(notification: Notification) -> dict[str, Any]:
    """The meeting as it is now (the email is built when sent, so never stale)."""
    from panels.models import PanelMeeting

    item = meeting_item(notification)
    meeting_id = item.get("meeting")
    meeting = PanelMeeting.objects.filter(pk=meeting_id).first() if meeting_id else None
    if meeting is None:
        return {}
    starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    return {
        "when": f"{starts:%A %-d %B %Y}, {starts:%H:%M} to {ends:%H:%M}",
        "place": meeting.place,
        "video_link": meeting.video_link,
        "cancelled": meeting.cancelled,
        "removed": bool(item.get("removed")),
    }


def _context(notification: Notification) -> dict[str, Any]:
    site = settings.FTP_SITE_URL
    case_url = (
        f"{site}{reverse('cases:detail', args=[notification.case_id])}"
        if notification.case_id
        else ""
    )
    bundled = _digest_lines(notification) if notification.kind == Kind.DIGEST else []
    items = [
        {**item, "case_url": f"{site}{reverse('cases:detail', args=[item['case_id']])}"}
        for item in bundle_items([notification], every=True).get(notification.pk, [])
    ]
    return {
        "items": items,
        "count": len(items),
        "reference": _reference(notification),
        "due_on": notification.due_on,
        # Templates say "today" only when the due date is the day they are sent.
        "due_passed": due_passed(notification.due_on),
        "case_url": case_url,
        "list_url": f"{site}{reverse('notifications:list')}",
        "preferences_url": f"{site}{reverse('notifications:preferences')}",
        "escalate_after": trust_policy().escalate_decision_maker_after_working_days,
        "bundled": bundled,
        "retention_files": retention_files(notification),
        "retention_url": f"{site}{reverse('audit:retention')}",
        "early_warning_count": (
            early_warning_counts(notification)[0] if notification.kind == Kind.EARLY_WARNING else 0
        ),
        "early_warning_url": f"{site}{reverse('reports:early_warning')}"
        + (f"?as_at={notification.due_on.isoformat()}" if notification.due_on else ""),
        "concerns_url": f"{site}{reverse('speakup:concerns')}",
        "my_concerns_url": f"{site}{reverse('speakup:mine')}",
        "overdue_actions": overdue_actions_count(notification),
        "actions_url": f"{site}{reverse('assurance:actions')}?overdue=on",
        "meeting": _meeting_context(notification)
        if notification.kind in Kind.meeting_kinds()
        else {},
    }


def _digest_lines(digest: Notification) -> list[dict[str, Any]]:
    """A digest's lines: one per bundled notification, or per step of a
    ``DUE_STEPS`` message it carries."""
    notes = list(digest.bundled.select_related("case").order_by("created_at", "id"))
    steps = bundle_items(notes, every=True)
    lines: list[dict[str, Any]] = []
    for n in notes:
        if n.pk in steps:
            lines += steps[n.pk]
        else:
            what = Kind(n.kind).label
            if n.kind == Kind.OVERDUE_HR and due_passed(n.due_on):
                what = "Overdue: HR lead asked to follow up"
            lines.append({"reference": _reference(n), "what": what, "due_on": n.due_on})
    return lines


def email_subject(notification: Notification) -> str:
    text = render_to_string(
        f"notifications/email/{notification.kind}_subject.txt", _context(notification)
    )
    subject = " ".join(text.split())  # one line: headers cannot hold newlines
    if who := covering_for(notification):
        return f"For {' '.join(who.split())}: {subject}"
    return subject


def email_body(notification: Notification) -> str:
    body = render_to_string(f"notifications/email/{notification.kind}.txt", _context(notification))
    if who := covering_for(notification):
        # The delegate is told first whose work this is (docs/case-owners.md).
        return f"You are covering for {who}: this is for them.\n\n{body}"
    return body
