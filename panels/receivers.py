"""What the panels app does when something below it happens."""

from __future__ import annotations

from accounts.roles import Role
from staff.events import RoleGiven

from .models import PoolMember


def pool_join_on_panel_role(event: RoleGiven) -> None:
    """A user given the panel role with a staff number (``staff.services.user_add``)
    joins the panel pool; networks, training and absences come from
    ``import_panel_pool`` or the admin. Runs in ``user_add``'s transaction."""
    if event.staff_number is not None and event.role == Role.PANEL:
        PoolMember.objects.get_or_create(user_id=event.user.pk)
