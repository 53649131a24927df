"""Request shapes of the employee's voice actions (voice/, docs/employee-account.md).

The API's answer to each is the case, as for every action. Issuing a link
answers with the case too, never the raw link: the link is a bearer secret,
emailed to the employee's address on record and shown once on the web page
of the HR adviser who issued it (ADR 0027); an API client sees its status.
An uploaded account travels as base64 in the JSON body (``file``), within
the request size limit, and is checked by its bytes as every upload is.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from rest_framework import serializers

from accounts.types import Viewer
from voice.models import ACCOUNT_TEXT_MAX, AccountSource, ToldMethod
from voice.selectors import account_card
from workflow.models import Case

from .common import ActionRequest, StrictSerializer


class EmployeeToldRequest(ActionRequest):
    told_on = serializers.DateField(help_text="The day the employee was told of the referral.")
    method = serializers.ChoiceField(choices=ToldMethod.choices)


class AccountLinkRequest(ActionRequest):
    withdraw = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Only withdraw the open link, issuing none. Otherwise a new link replaces it.",
    )


class AccountFileRequest(StrictSerializer):
    name = serializers.CharField(max_length=120)
    content_base64 = serializers.CharField(
        trim_whitespace=True, help_text="The file's bytes, base64-encoded."
    )


class AccountRecordRequest(ActionRequest):
    source = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in (AccountSource.MEETING, AccountSource.UPLOAD)]
    )
    text = serializers.CharField(
        max_length=ACCOUNT_TEXT_MAX,
        trim_whitespace=False,
        required=False,
        allow_blank=True,
        default="",
        help_text="The account typed from the meeting; with an upload, an optional note.",
    )
    meeting_on = serializers.DateField(required=False, allow_null=True, default=None)
    file = AccountFileRequest(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        upload = attrs.pop("file", None)
        attrs["file_name"] = upload["name"] if upload else ""
        attrs["file_data"] = None
        if upload:
            try:
                attrs["file_data"] = base64.b64decode(upload["content_base64"], validate=True)
            except (binascii.Error, ValueError) as exc:
                raise serializers.ValidationError(
                    {"file": ["content_base64 is not valid base64."]}
                ) from exc
        return attrs


class ToldOut(serializers.Serializer):
    told_on = serializers.DateField()
    method = serializers.ChoiceField(choices=ToldMethod.choices)


class AccountOut(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.ChoiceField(choices=AccountSource.choices)
    text = serializers.CharField(allow_blank=True)
    meeting_on = serializers.DateField(allow_null=True)
    document_id = serializers.IntegerField(
        allow_null=True, help_text="The uploaded account's case document, if any."
    )
    recorded_at = serializers.DateTimeField()


class LinkOut(serializers.Serializer):
    state = serializers.ChoiceField(choices=["live", "used", "expired", "revoked"])
    issued_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    used_at = serializers.DateTimeField(allow_null=True)
    emailed = serializers.BooleanField()


class VoiceOut(serializers.Serializer):
    told = ToldOut(allow_null=True, help_text="When and how the employee was told; null: not yet.")
    accounts = AccountOut(many=True, help_text="The newest accounts first (at most ten).")
    link = LinkOut(
        allow_null=True,
        help_text="The newest single-use link's state, never the link itself; null: none issued.",
    )


def voice_out(user: Viewer, case: Case) -> dict[str, Any] | None:
    """The employee's voice on ``case`` for ``user`` (``workflow.access.AccountVisible``:
    HR, the chair and cleared members), or None for anyone else."""
    card = account_card(user, case)
    if card is None:
        return None
    link = card.link
    return {
        "told": (
            {"told_on": card.told.told_on, "method": card.told.method}
            if card.told is not None
            else None
        ),
        "accounts": [
            {
                "id": a.pk,
                "source": a.source,
                "text": a.text,
                "meeting_on": a.meeting_on,
                "document_id": a.document_id,
                "recorded_at": a.recorded_at,
            }
            for a in card.accounts
        ],
        "link": (
            {
                "state": link.state,
                "issued_at": link.issued_at,
                "expires_at": link.expires_at,
                "used_at": link.used_at,
                "emailed": link.emailed,
            }
            if link is not None
            else None
        ),
    }
