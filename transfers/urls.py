"""/api/v1/ routes of the country register, transfers and TIAs."""

from rest_framework.routers import SimpleRouter

from transfers import views

router = SimpleRouter()
router.register("countries", views.CountryProfileViewSet, basename="countryprofile")
router.register("transfers", views.TransferViewSet, basename="transfer")
router.register(
    "tias", views.TransferImpactAssessmentViewSet, basename="transferimpactassessment"
)

urlpatterns = router.urls
