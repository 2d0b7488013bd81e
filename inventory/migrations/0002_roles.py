"""Create the DPO, Auditor and Sales groups (docs/api.md, roles).

Their permissions are set here for the models that exist now and re-synced
after every migrate (inventory.roles), so later models are covered too."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from inventory.roles import sync_groups


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
