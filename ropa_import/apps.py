from django.apps import AppConfig


class RopaImportConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ropa_import"
    verbose_name = "ROPA import"
