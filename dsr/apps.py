from django.apps import AppConfig


class DsrConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dsr"
    verbose_name = "Data subject requests"
