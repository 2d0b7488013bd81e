from django.apps import AppConfig


class InventoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inventory"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, pre_delete

        from inventory.models import remove_from_tracked_sets
        from inventory.roles import sync_groups_after_migrate

        post_migrate.connect(sync_groups_after_migrate, dispatch_uid="sync_groups")
        pre_delete.connect(remove_from_tracked_sets, dispatch_uid="m2m_history")
