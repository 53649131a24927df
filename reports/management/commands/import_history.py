from __future__ import annotations

from reports.counts_command import CountsImportCommand
from reports.importers import history_import
from tenancy.commands import TrustCommand


class Command(TrustCommand, CountsImportCommand):
    help = (
        "Load formal-investigation entries from before go-live from a CSV with columns date, "
        "org_unit, ethnic_category, entered. Each date in the file replaces what was stored "
        "for it. Any invalid row rejects the whole file."
    )
    importer = staticmethod(history_import)
