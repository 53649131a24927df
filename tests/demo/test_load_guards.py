"""What load_demo does on a database without the demo: refuses outside
local (writing nothing), and makes a local database's one trust Northbridge.
Apart from the modules that share one loaded demo (``demo_loaded``), which
would otherwise be there already."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.management.base import CommandError

from demo.trust import NORTHBRIDGE, _load_org_units
from tenancy.context import trust_entered
from tenancy.models import Trust

from .conftest import demo_trusts, everything, load_demo


def test_refuses_without_the_flag_and_writes_nothing(db: None, settings: Any) -> None:
    settings.FTP_DEMO_DATA_ALLOWED = False
    before = everything()
    with pytest.raises(CommandError, match="FTP_ENV=local"):
        load_demo()
    assert everything() == before
    assert not demo_trusts()


def test_a_database_loaded_before_trusts_becomes_northbridge(db: None, demo_allowed: None) -> None:
    """`migrate` made a local demo database's one trust (FTP_TRUST_CODE); the
    next load_demo makes it Northbridge rather than a second copy."""
    old = Trust.objects.create(code=settings.FTP_TRUST_CODE, name=settings.FTP_TRUST_NAME)
    with trust_entered(old):
        _load_org_units(NORTHBRIDGE)
    load_demo()
    assert not Trust.objects.filter(code=settings.FTP_TRUST_CODE).exists()
    assert demo_trusts()["NB"].pk == old.pk
    assert everything()["NB"]["OrgUnit"] == 12
