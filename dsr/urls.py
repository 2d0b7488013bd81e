"""/api/v1/ routes of the register of data subject requests."""

from rest_framework.routers import SimpleRouter

from dsr import views

router = SimpleRouter()
router.register("requests", views.DataSubjectRequestViewSet, basename="request")

urlpatterns = router.urls
