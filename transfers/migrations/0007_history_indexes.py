"""An index on (id, history_date) of each historical table (see
inventory/migrations/0016_history_indexes.py)."""

from django.db import migrations

TABLES = ["countryprofile", "transfer", "transferimpactassessment"]


def index(table: str) -> migrations.RunSQL:
    name = f"{table}_id_date"
    return migrations.RunSQL(
        f"CREATE INDEX {name} ON {table} (id, history_date)",
        f"DROP INDEX {name}",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("transfers", "0006_tia_steps_and_destination_law"),
    ]

    operations = [index(f"transfers_historical{t}") for t in TABLES]
