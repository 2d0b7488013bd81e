from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from reports.findings_admin import findings_list
from reports.import_views import import_ropa_view

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/findings/", admin.site.admin_view(findings_list), name="findings"),
    path(
        "admin/import-ropa/",
        admin.site.admin_view(import_ropa_view),
        name="import_ropa",
    ),
    path("admin/", admin.site.urls),
]
