from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from reports.findings_admin import findings_list

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/findings/", admin.site.admin_view(findings_list), name="findings"),
    path("admin/", admin.site.urls),
]
