"""/api/v1/ routes of report runs, findings and the data map's flows."""

from rest_framework.routers import SimpleRouter

from reports import views

router = SimpleRouter()
router.register("findings", views.FindingViewSet, basename="finding")
router.register("flows", views.FlowViewSet, basename="flow")
router.register("reports", views.ReportRunViewSet, basename="reportrun")

urlpatterns = router.urls
