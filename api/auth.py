"""Token login with throttled failures.

Only failed attempts count: after FTP_LOGIN_MAX_FAILURES failures for one
username (or from one address) within FTP_LOGIN_FAILURE_WINDOW seconds, the
endpoint answers 429 until the window passes. Counters live in the shared
cache (Redis outside local), so every web process sees the same count.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import ErrorSerializer, ValidationErrorSerializer
from .parsers import JSONParser
from .serializers import StrictSerializer


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


def _keys(request: Request, username: str) -> list[str]:
    # Hash the username so no personal identifier sits in the cache key space.
    user_key = hashlib.sha256(username.lower().encode()).hexdigest()[:32]
    address = request.META.get("REMOTE_ADDR", "unknown")
    return [f"ftp:login-fail:user:{user_key}", f"ftp:login-fail:addr:{address}"]


class TokenView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: ValidationErrorSerializer,
            401: ErrorSerializer,
            429: ErrorSerializer,
        },
        summary="Exchange a username and password for an API token",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        username = form.validated_data["username"]
        keys = _keys(request, username)
        window = settings.FTP_LOGIN_FAILURE_WINDOW
        if any(cache.get(k, 0) >= settings.FTP_LOGIN_MAX_FAILURES for k in keys):
            raise Throttled(detail="Too many failed logins. Try again later.", wait=window)
        user = authenticate(request, username=username, password=form.validated_data["password"])
        if user is None or not user.is_active:
            for key in keys:
                cache.add(key, 0, timeout=window)
                try:
                    cache.incr(key)
                except ValueError:
                    # The window ran out between add and incr (incr of a missing
                    # key raises): this failure opens a new window.
                    cache.set(key, 1, timeout=window)
            # Answered directly: with no authenticators DRF would turn 401 into 403.
            return Response({"detail": "Wrong username or password."}, status=401)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
