"""Pieces every request and response shape uses (``api.serializers``, ``api.panels``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from accounts.types import Actor

TEXT_MAX = 10_000


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a typo is an error, not a silent no-op."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class StrictSerializerSchema(OpenApiSerializerExtension):
    """Says so in the schema too (``additionalProperties: false``): without it the
    document promises that unknown fields are accepted."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        return schema


def text_field(**kwargs: Any) -> serializers.CharField:
    # No trimming here: DRF trims before checking max_length, which would accept
    # a body longer than the schema's maxLength. The services strip text.
    return serializers.CharField(max_length=TEXT_MAX, trim_whitespace=False, **kwargs)


class ActionRequest(StrictSerializer):
    expected_version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The case version you last saw; refused with 409 if the case changed since.",
    )


class UserOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(allow_blank=True)


def user_out(user: Actor | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.get_username(), "name": user.get_full_name()}
