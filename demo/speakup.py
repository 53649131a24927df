"""Demo Freedom to Speak Up concerns (local only, through ``demo.trust``).

In the Northbridge demo trust: the guardian ``guardian`` and the member of
staff ``staff1`` (password ``demo-pass-2026``), and three concerns raised
through the services: one open (``staff1``'s, acknowledged, categorised and
answered), one confidential (``manager2``'s, overdue for acknowledgement)
and one anonymous, answered by an unsigned reply. The anonymous one opens on
``/speak-up/follow-up/`` with the case key ``DEMO_CASE_KEY`` and the
passphrase ``DEMO_PASSPHRASE`` (a demo's fixed pair, so it can be tried;
real keys are random). Loaded once: a trust that has any raised concern is
left alone.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from speakup import keys
from speakup.models import Concern, Route, Source
from speakup.services import (
    concern_acknowledge,
    concern_categorise,
    concern_raise,
    concern_reply,
)

DEMO_CASE_KEY = "DEMO-CASE-KEYS-2026"
DEMO_PASSPHRASE = "demo-pass-2026"  # noqa: S105 - a published demo passphrase, local only

# (route, reporter, topic, days ago, what happened)
_CONCERNS = (
    (
        Route.OPEN,
        "staff1",
        "bullying",
        12,
        "At handovers the shift lead talks over the overseas-trained nurses and "
        "gives them the heaviest bays without asking. I have raised it with her.",
    ),
    (
        Route.CONFIDENTIAL,
        "manager2",
        "racism",
        6,
        "A consultant made a remark about a junior doctor's accent in front of a "
        "patient. I do not want my name shared with the department.",
    ),
    (
        Route.ANONYMOUS,
        None,
        "patient_safety",
        1,
        "Night staffing on the ward has been below the safe level on most nights "
        "this month and the escalation log is not being filled in.",
    ),
)


def concerns_load(*, today: dt.date, guardian_username: str = "guardian") -> int:
    """The demo concerns in the trust being acted for; how many were added."""
    if Concern.objects.filter(source=Source.RAISED).exists():
        return 0
    users = get_user_model().objects
    guardian = users.get(username=guardian_username)
    added = 0
    for route, username, topic, days_ago, account in _CONCERNS:
        raised = concern_raise(
            reporter=users.get(username=username) if username else None,
            route=route,
            topic=topic,
            account=account,
            today=today - dt.timedelta(days=days_ago),
        )
        concern = raised.concern
        added += 1
        if route == Route.OPEN:
            concern_acknowledge(concern_id=concern.pk, actor=guardian)
            concern_categorise(
                concern_id=concern.pk,
                actor=guardian,
                categories={"bullying_harassment": True, "worker_safety": True},
                professional_group="nursing",
                org_unit_id=None,
                ethnic_category="",
            )
            concern_reply(
                concern_id=concern.pk,
                actor=guardian,
                body="Thank you for speaking up. Could we meet this week? I can come to the ward.",
                signed=True,
            )
        elif route == Route.ANONYMOUS:
            Concern.objects.filter(pk=concern.pk).update(
                case_key=keys.key_normalise(DEMO_CASE_KEY),
                passphrase_hash=make_password(keys.passphrase_normalise(DEMO_PASSPHRASE)),
            )
            concern_reply(
                concern_id=concern.pk,
                actor=guardian,
                body="Thank you. We have asked the matron for the staffing figures and will "
                "write again here within a week.",
                signed=False,
            )
    return added
