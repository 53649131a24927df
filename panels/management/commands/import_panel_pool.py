from __future__ import annotations

from core.csv_command import CsvImportCommand
from panels.importers import pool_import
from tenancy.commands import TrustCommand


class Command(TrustCommand, CsvImportCommand):
    help = (
        "Create or update the panel pool from a CSV with columns username, staff_number, "
        "networks (semicolon-separated), independent_trained_until, away_until (dates or "
        "blank). Users need the panel role and employees must be loaded. Any invalid row "
        "rejects the whole file."
    )
    noun = "pool member"
    importer = staticmethod(pool_import)
