"""The case list's search box and its sort by employee, served by indexes.

The search (``workflow.selectors.case_search_q``) asks whether a case's
reference, employee's name or staff number contains what was typed
(``ILIKE '%…%'``), and whether a word of the employee's name is close to it
(``pg_trgm``'s word similarity, ``%>``). A B-tree cannot answer either; one
GIN index of the three columns' trigrams answers both, each column's test an
index scan that PostgreSQL ORs together. The sort by employee's name walks
``case_employee_name`` (the trust first, as every case index: ADR 0020).

PostgreSQL only. ``pg_trgm`` ships with PostgreSQL and is a trusted
extension (13+): the database's owner, who runs migrations, may create it
without being a superuser. SQLite (the local demo) has neither: the search
there is containment alone and reads the table, which the demo's few dozen
cases do not notice.

Built ``CONCURRENTLY`` (outside a transaction: ``atomic = False``), as the
runbook asks of an index on a table that keeps being written.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

CREATE = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS case_search_trgm ON workflow_case USING gin"
    " (reference gin_trgm_ops, employee_name gin_trgm_ops, employee_staff_number gin_trgm_ops)",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS case_employee_name"
    " ON workflow_case (trust_id, employee_name, id)",
)
DROP = (
    "DROP INDEX CONCURRENTLY IF EXISTS case_search_trgm",
    "DROP INDEX CONCURRENTLY IF EXISTS case_employee_name",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("workflow", "0011_referral_duplicates_and_submission_key"),
    ]

    operations = [
        # Skipped on SQLite by Django itself.
        TrigramExtension(),
        migrations.RunPython(create, drop),
    ]
