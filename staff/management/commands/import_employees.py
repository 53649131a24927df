from __future__ import annotations

from core.csv_command import CsvImportCommand
from staff.importers import employees_import
from tenancy.commands import TrustCommand


class Command(TrustCommand, CsvImportCommand):
    help = (
        "Create or update employees from a CSV with columns staff_number, name, job_title, band, "
        "org_unit, line_manager_staff_number, ethnic_category, and optionally email (single "
        "sign-on links logins by it). Load org units first. "
        "Any invalid row rejects the whole file."
    )
    noun = "employee"
    importer = staticmethod(employees_import)
