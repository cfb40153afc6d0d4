"""Included by schools_portal/urls.py at /api/v1/ without a namespace: names carry an `api-` prefix instead."""

from rest_framework.routers import SimpleRouter

from .views import BasicCommandUnitViewSet, LocalAuthorityViewSet, SchoolViewSet

router = SimpleRouter()
router.register("schools", SchoolViewSet, basename="api-schools")
router.register("local-authorities", LocalAuthorityViewSet, basename="api-local-authorities")
router.register("bcus", BasicCommandUnitViewSet, basename="api-bcus")

urlpatterns = router.urls
