"""Prepare the test identity provider's database: tables, a signing key, the
app under test as a confidential code-flow client (no consent screen), and
the people of the people file with their passwords.

Run as ``python -m tests.sso.idp.setup CLIENT_ID CLIENT_SECRET REDIRECT_URI...``
with the provider's settings (``DJANGO_SETTINGS_MODULE=tests.sso.idp.settings``).
"""

from __future__ import annotations

import json
import os
import sys

import django
from django.core.management import call_command


def main(client_id: str, client_secret: str, redirect_uris: list[str]) -> None:
    django.setup()
    from django.contrib.auth import get_user_model
    from oidc_provider.models import Client, ResponseType  # type: ignore[import-untyped]

    call_command("migrate", verbosity=0)
    call_command("creatersakey")
    client = Client.objects.create(
        name="Fair Treatment Panel (under test)",
        client_type="confidential",
        client_id=client_id,
        client_secret=client_secret,
        jwt_alg="RS256",
        require_consent=False,
        reuse_consent=True,
        redirect_uris=redirect_uris,
    )
    client.response_types.add(ResponseType.objects.get(value="code"))
    with open(os.environ["IDP_PEOPLE"], encoding="utf-8") as people:
        for username, someone in json.load(people).items():
            get_user_model().objects.create_user(username=username, password=someone["password"])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
