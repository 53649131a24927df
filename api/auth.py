"""API login and logout: expiring, revocable tokens (django-rest-knox) behind the login lockout.

``POST auth/token/`` exchanges a username and password for a token that
expires after ``FTP_API_TOKEN_TTL_HOURS``; only its hash is stored. The
password is checked through Django's ``authenticate()``, so the same lockout
as the web and admin login applies (``accounts/lockout.py``): failures are
counted before the password is checked, per username + address and per
address, and a locked-out attempt gets 429 without its password being tried.

``POST auth/logout/`` revokes the token it presents, ``POST auth/logout-all/``
every token of its user. Changing the password or deactivating the user
revokes them all too (``accounts/signals.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in, user_logged_out
from drf_spectacular.utils import extend_schema
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.backends import LOCAL_LOGIN_OFF_MESSAGE, password_login_refused
from accounts.lockout import LOCKED_OUT_MESSAGE

from .common import StrictSerializer
from .errors import ErrorSerializer, ValidationErrorSerializer
from .parsers import JSONParser


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(help_text="When the token stops working.")


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
            403: ErrorSerializer,
            429: ErrorSerializer,
        },
        summary="Exchange a username and password for an expiring API token",
        description=(
            "Each call makes a new token, valid for the configured lifetime. After "
            "too many wrong passwords for a username from one address (or from one "
            "address in all) logging in is refused with 429 until the window passes. "
            "Where passwords are switched off for single sign-on, only the "
            "break-glass accounts may use this; anyone else gets 403."
        ),
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=form.validated_data["username"],
            password=form.validated_data["password"],
        )
        if user is None or not user.is_active:
            if getattr(request, "axes_locked_out", False):
                raise Throttled(detail=LOCKED_OUT_MESSAGE, wait=settings.FTP_LOGIN_FAILURE_WINDOW)
            if password_login_refused(request):
                # Local passwords are off (single sign-on): accounts.backends says who may.
                return Response({"detail": LOCAL_LOGIN_OFF_MESSAGE}, status=403)
            # Answered directly: with no authenticators DRF would turn 401 into 403.
            return Response({"detail": "Wrong username or password."}, status=401)
        instance, token = AuthToken.objects.create(user=user)
        # Clears this username's failures from this address (the lockout's
        # receiver) and records last_login, as a web login does.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response(TokenSerializer({"token": token, "expiry": instance.expiry}).data)


class LogoutView(APIView):
    """Revoke the token this request presents; ``revoke`` says which tokens go."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        request=None,
        responses={204: None, 401: ErrorSerializer},
        summary="Revoke the token this request presents",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        self.revoke(request)
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return Response(status=204)

    def revoke(self, request: Request) -> None:
        request.auth.delete()


class LogoutAllView(LogoutView):
    @extend_schema(
        request=None,
        responses={204: None, 401: ErrorSerializer},
        summary="Revoke every token of the user this request's token belongs to",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        return super().post(request)

    def revoke(self, request: Request) -> None:
        AuthToken.objects.filter(user=request.user).delete()
