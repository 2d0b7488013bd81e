from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from inventory.chain_views import verify_history_view
from kbinventory import errors
from kbinventory.openapi import SchemaFormatNegotiation
from reports.findings_admin import findings_list
from reports.flows_admin import data_map_view, plotly_js
from ropa_import.views import import_ropa_view, import_run_view

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/findings/", admin.site.admin_view(findings_list), name="findings"),
    path("admin/data-map/", admin.site.admin_view(data_map_view), name="data_map"),
    path(
        "admin/data-map/plotly.js",
        admin.site.admin_view(plotly_js),
        name="data_map_plotly",
    ),
    path(
        "admin/import-ropa/",
        admin.site.admin_view(import_ropa_view),
        name="import_ropa",
    ),
    path(
        "admin/import-ropa/runs/<int:pk>/",
        admin.site.admin_view(import_run_view),
        name="import_ropa_run",
    ),
    path(
        "admin/verify-history/",
        admin.site.admin_view(verify_history_view),
        name="verify_history",
    ),
    path("admin/", admin.site.urls),
]

# REST API (docs/api.md): JSON only, also for unknown paths and errors.
urlpatterns += [
    path(
        "api/schema/",
        SpectacularAPIView.as_view(content_negotiation_class=SchemaFormatNegotiation),
        name="schema",
    ),
    # The split view serves Swagger UI's start-up script as a file (CSP: no
    # inline script).
    path(
        "api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"
    ),
    path("api/v1/", include("inventory.urls")),
    path("api/v1/", include("transfers.urls")),
    path("api/v1/", include("reports.urls")),
    path("api/v1/", include("dsr.urls")),
    re_path(r"^api/", errors.api_not_found),
]
handler400 = errors.handler400
handler403 = errors.handler403
handler404 = errors.handler404
handler500 = errors.handler500
