"""An index on (id, history_date) of each historical table.

The inventory as of a date (reports/snapshot.py) is the latest historical
record of each object up to that date: ``MAX(history_date)`` per ``id``, then
those records. With this index both steps are index scans; without it the
database compares every record with every other record of the same object.
"""

from django.db import migrations

TABLES = [
    "activitylawfulbasis",
    "customer",
    "datacategory",
    "datasubjectcategory",
    "deletionrun",
    "legalentity",
    "plan",
    "planlimit",
    "processingactivity",
    "productfeature",
    "region",
    "retentionoverride",
    "securitymeasure",
    "specialcategorycondition",
    "subprocessornotice",
    "system",
    "vendor",
]


def index(table: str) -> migrations.RunSQL:
    name = f"{table}_id_date"
    return migrations.RunSQL(
        f"CREATE INDEX {name} ON {table} (id, history_date)",
        f"DROP INDEX {name}",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0015_annex_ii_not_applicable"),
    ]

    operations = [index(f"inventory_historical{t}") for t in TABLES]
