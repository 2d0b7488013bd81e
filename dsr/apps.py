from django.apps import AppConfig


class DsrConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dsr"
    verbose_name = "Data subject requests"

    def ready(self) -> None:
        from dsr import demo
        from inventory.signals import demo_loaded

        demo_loaded.connect(demo.load, dispatch_uid="dsr_demo")
