from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"

    def ready(self) -> None:
        from reports import findings_store  # noqa: F401 - connects its receiver
        from reports.findings_admin import add_findings_to_admin

        add_findings_to_admin()
