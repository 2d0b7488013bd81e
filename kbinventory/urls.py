from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from kbinventory import api

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
]

# REST API (CONTRACT.md 4): JSON only, also for unknown paths and errors.
urlpatterns += [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/v1/", include("inventory.urls")),
    path("api/v1/", include("transfers.urls")),
    path("api/v1/", include("reports.urls")),
    re_path(r"^api/", api.api_not_found),
]
handler400 = api.handler400
handler403 = api.handler403
handler404 = api.handler404
handler500 = api.handler500
