"""Name the actor of every version written before actors were recorded
(commands, migrations): no version is left without a user."""

from django.conf import settings
from django.db import migrations

from inventory.actors import backfill_actors


def backfill(apps, schema_editor):
    backfill_actors(apps, "transfers")


class Migration(migrations.Migration):
    dependencies = [
        ("transfers", "0004_derogation_safeguards"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
