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
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from speakup import keys
from speakup.importers import FTSU_COLUMNS, ftsu_cases_import
from speakup.models import Concern, Route, Source
from speakup.report import Quarter, quarters_ending
from speakup.services import (
    concern_acknowledge,
    concern_categorise,
    concern_raise,
    concern_reply,
)
from staff.models import OrgUnit

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


# The guardian's log before the product: this many concerns a quarter, at most.
HISTORY_QUARTERS = 8
_GROUPS = ("nursing", "medical", "admin", "ahp", "estates", "nursing_support", "not_known")
# How often each flag is set (per cent), near the national shares.
_FLAG_SHARES = (
    ("patient_safety", 20),
    ("worker_safety", 27),
    ("bullying_harassment", 22),
    ("inappropriate_behaviour", 30),
    ("detriment", 4),
    ("racism", 9),
)


def ftsu_history_csv(*, today: dt.date, unit_codes: list[str], seed: str) -> str:
    """A guardian's log of the ``HISTORY_QUARTERS`` complete quarters before
    ``today``, as ``import_ftsu_cases`` reads it: the same for the same seed
    and day. Some units and quarters have few concerns, so the pack shows
    its suppression."""
    rng = random.Random(seed)  # noqa: S311 - made-up demo figures, not a secret
    lines = [",".join(FTSU_COLUMNS)]
    for quarter in quarters_ending(Quarter.latest_complete(today), HISTORY_QUARTERS):
        for _ in range(rng.randint(6, 16)):
            received = quarter.start + dt.timedelta(days=rng.randrange(89))
            flags = ["yes" if rng.randrange(100) < share else "no" for _, share in _FLAG_SHARES]
            lines.append(
                ",".join(
                    [
                        received.isoformat(),
                        rng.choice(unit_codes) if rng.random() > 0.05 else "",
                        rng.choice(_GROUPS),
                        rng.choice("AAAACCHMNNPRZ") if rng.random() > 0.15 else "",
                        "yes" if rng.random() < 0.1 else "no",
                        *flags,
                    ]
                )
            )
    return "\n".join(lines) + "\n"


def ftsu_history_load(*, today: dt.date, seed: str) -> int:
    """The demo's imported log in the trust being acted for, through the
    import itself; how many concerns. Loaded once: a trust with any
    imported concern is left alone."""
    if Concern.objects.filter(source=Source.IMPORTED).exists():
        return 0
    codes = list(
        OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.ICSU, OrgUnit.Kind.DEPARTMENT])
        .order_by("code")
        .values_list("code", flat=True)
    )
    text = ftsu_history_csv(today=today, unit_codes=codes, seed=seed)
    return ftsu_cases_import(text=text).rows
