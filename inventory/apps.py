from django.apps import AppConfig


class InventoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inventory"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_migrate, pre_delete

        from inventory.history import detach_before_delete
        from inventory.models import ProductFeature
        from inventory.roles import sync_groups_after_migrate
        from inventory.signals import feature_vendors_changed

        post_migrate.connect(sync_groups_after_migrate, dispatch_uid="sync_groups")
        pre_delete.connect(detach_before_delete, dispatch_uid="m2m_history")
        m2m_changed.connect(
            feature_vendors_changed,
            sender=ProductFeature.vendors.through,
            dispatch_uid="subprocessor_notices",
        )
