"""Every trust's starting templates and letterhead.

Made when a trust is made (``post_save`` of ``tenancy.Trust``, as its policy
is: ``tenancy.policy``), by migration 0002 for trusts made before letters
existed, and on first use for a trust made any other way (a bulk insert, a
restore). A trust that has them keeps them: seeding never overwrites.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from tenancy.context import trust_entered, trust_id_required
from tenancy.models import Trust

from .defaults import SUPPORT_TEXT, TEMPLATES
from .kinds import LetterKind
from .models import Letterhead, LetterTemplate


def letters_seed(trust: Trust) -> None:
    """Give ``trust`` each kind's default template and a letterhead, where missing."""
    with trust_entered(trust), transaction.atomic():
        have = set(LetterTemplate.objects.values_list("kind", flat=True))
        now = timezone.now()
        for kind, (title, subject, body) in TEMPLATES.items():
            if kind not in have:
                LetterTemplate.objects.create(
                    kind=kind, title=title, subject=subject, body=body, updated_at=now
                )
        if not Letterhead.objects.exists():
            Letterhead.objects.create(display_name=trust.name, support_text=SUPPORT_TEXT)


def template_current(kind: str) -> LetterTemplate:
    """The current trust's template of ``kind`` (seeded if the trust has none)."""
    kind = LetterKind(kind)
    found = LetterTemplate.objects.filter(kind=kind).first()
    if found is None:
        letters_seed(_current_trust())
        found = LetterTemplate.objects.get(kind=kind)
    return found


def letterhead_current() -> Letterhead:
    """The current trust's letterhead (seeded if the trust has none)."""
    found = Letterhead.objects.first()
    if found is None:
        letters_seed(_current_trust())
        found = Letterhead.objects.get()
    return found


def _current_trust() -> Trust:
    return Trust.objects.get(pk=trust_id_required())


def _trust_created(
    sender: Any, instance: Trust, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        letters_seed(instance)


def signals_connect() -> None:
    """Called from LettersConfig.ready."""
    post_save.connect(_trust_created, sender=Trust, dispatch_uid="letters-seed-new-trust")
