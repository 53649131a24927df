from __future__ import annotations

from reports.counts_command import CountsImportCommand
from reports.importers import headcount_import
from tenancy.commands import TrustCommand


class Command(TrustCommand, CountsImportCommand):
    help = (
        "Load workforce headcounts from a CSV with columns as_at, org_unit, ethnic_category, "
        "headcount (any org unit; figures roll up to its ICSU and the trust). Each date in "
        "the file replaces what was stored for it. Any invalid row rejects the whole file."
    )
    importer = staticmethod(headcount_import)
