"""Name the actor of every version written before actors were recorded
(commands, migrations): no version is left without a user."""

from django.conf import settings
from django.db import migrations

from inventory.actors import backfill_actors


def backfill(apps, schema_editor):
    backfill_actors(apps, "inventory")


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0007_retention_schedule_plans_deletion_runs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
