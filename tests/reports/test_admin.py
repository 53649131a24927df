"""The loaded figures are visible in the admin and changed only by the imports."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from reports.importers import headcount_import

from .conftest import HEAD, csv_text


def test_an_admin_sees_the_headcounts_but_cannot_add_change_or_delete_them(client, units):
    headcount_import(text=csv_text(HEAD, "2025-03-31,DEP-ED,A,120"))
    admin = get_user_model().objects.create_superuser("root", password="pw-Root-2026!")
    client.force_login(admin)
    response = client.get(reverse("admin:reports_headcount_changelist"))
    assert response.status_code == 200
    assert "120" in response.content.decode()
    assert client.get(reverse("admin:reports_headcount_add")).status_code == 403
    assert client.get(reverse("admin:reports_historicalentry_changelist")).status_code == 200
