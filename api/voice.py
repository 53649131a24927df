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

from voice.models import ACCOUNT_TEXT_MAX, AccountSource, ToldMethod

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
