from __future__ import annotations

from core.csv_command import CsvImportCommand
from staff.importers import org_units_import
from tenancy.commands import TrustCommand


class Command(TrustCommand, CsvImportCommand):
    help = (
        "Create or update org units from a CSV with columns code, name, parent_code, kind "
        "(trust, icsu or department). Any invalid row rejects the whole file."
    )
    noun = "org unit"
    importer = staticmethod(org_units_import)
