"""/api/v1/ routes of the inventory (docs/api.md)."""

from rest_framework.routers import SimpleRouter

from inventory import views

router = SimpleRouter()
router.register("entities", views.LegalEntityViewSet, basename="legalentity")
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("features", views.ProductFeatureViewSet, basename="productfeature")
router.register(
    "data-subject-categories",
    views.DataSubjectCategoryViewSet,
    basename="datasubjectcategory",
)
router.register("data-categories", views.DataCategoryViewSet, basename="datacategory")
router.register("systems", views.SystemViewSet, basename="system")
router.register("vendors", views.VendorViewSet, basename="vendor")
router.register(
    "security-measures", views.SecurityMeasureViewSet, basename="securitymeasure"
)
router.register(
    "activities", views.ProcessingActivityViewSet, basename="processingactivity"
)

router.register("notices", views.SubprocessorNoticeViewSet, basename="notice")

urlpatterns = router.urls
