"""Who may open the equity reports (the governance pack, the early warning),
and who sees them suppressed: one rule for every report page and download.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.views import View

from accounts.roles import Role, has_role
from accounts.types import Viewer

REFUSAL = "Only governance viewers, HR and decision-makers see the governance pack."


def can_see_pack(user: Viewer) -> bool:
    return has_role(user, Role.GOVERNANCE, Role.HR, Role.DECISION_MAKER)


def must_suppress(user: Viewer) -> bool:
    """Governance viewers never see a small count, whatever other role they hold."""
    return has_role(user, Role.GOVERNANCE) or not has_role(user, Role.HR, Role.DECISION_MAKER)


class PackView(LoginRequiredMixin, View):
    refusal = REFUSAL

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not can_see_pack(request.user):
            raise PermissionDenied(self.refusal)
        return super().dispatch(request, *args, **kwargs)
