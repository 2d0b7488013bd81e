"""/api/v1/ routes of report runs and findings."""

from rest_framework.routers import SimpleRouter

from reports import views

router = SimpleRouter()
router.register("findings", views.FindingViewSet, basename="finding")
router.register("reports", views.ReportRunViewSet, basename="reportrun")

urlpatterns = router.urls
