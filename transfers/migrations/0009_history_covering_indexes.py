"""history_id as a third column of each historical table's (id, history_date)
index (see inventory/migrations/0018_history_covering_indexes.py). On SQLite
the old one may be gone already: rebuilding a table for 0008 drops the
indexes written in SQL."""

from django.db import migrations

TABLES = ["countryprofile", "transfer", "transferimpactassessment"]


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


class Migration(migrations.Migration):
    dependencies = [
        ("transfers", "0008_transfer_idta"),
    ]

    operations = [covering(f"transfers_historical{t}") for t in TABLES]
